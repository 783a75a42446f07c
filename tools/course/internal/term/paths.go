package term

// Paths as the user sees them: relative to where they stand, in compiler
// output too.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Rel shows path relative to where the user stands, so that it can be
// clicked in a terminal or pasted into an editor.
func (e *Env) Rel(path string) string {
	base := e.Cwd
	if base == "" {
		base, _ = os.Getwd()
	}
	if r, err := filepath.Rel(base, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

// fileRef matches a compiler position at the start of a line: "./a.go:3:4:",
// "a.go:3:4:" or "/abs/a.go:3:4:".
var fileRef = regexp.MustCompile(`^(\s*)((?:\./)?[^\s:]+\.go)(:\d+)`)

// BuildErrors rewrites compiler output from a build in dir so that every
// position is relative to where the user stands (lessons/01-x/a.go:3:4).
func (e *Env) BuildErrors(dir string, lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		out = append(out, fileRef.ReplaceAllStringFunc(line, func(m string) string {
			sub := fileRef.FindStringSubmatch(m)
			path := sub[2]
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			return sub[1] + e.Rel(path) + sub[3]
		}))
	}
	return TrimBlank(out)
}

// Relabel is BuildErrors for a staged copy: positions in the copy are named
// after the file they came from (the solution's, or the lesson's).
func Relabel(lines []string, stage string, origin func(file string) string) []string {
	out := make([]string, 0, len(lines))
	prefix := filepath.ToSlash(stage) + "/"
	for _, line := range lines {
		line = strings.ReplaceAll(line, prefix, "")
		out = append(out, fileRef.ReplaceAllStringFunc(line, func(m string) string {
			sub := fileRef.FindStringSubmatch(m)
			return sub[1] + origin(strings.TrimPrefix(sub[2], "./")) + sub[3]
		}))
	}
	return out
}
