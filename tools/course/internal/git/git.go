// Package git asks git how a lesson's files differ from a commit: reset puts
// them back, and the authors' checks tell a student's own work from the
// committed starter.
package git

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/lesson"
)

// run runs git in the course root and returns its standard output; an error
// carries what git said.
func run(ctx context.Context, root string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%s", term.FirstLine(msg))
		}
		return nil, err
	}
	return out, nil
}

// Show returns the file at path (relative to root) as ref has it.
func Show(ctx context.Context, root, ref, path string) ([]byte, error) {
	return run(ctx, root, "show", ref+":./"+filepath.ToSlash(path))
}

// TreeDiff is how the files under some paths differ from a commit.
type TreeDiff struct {
	Changed   []string // at the commit, and changed or deleted since
	Deleted   []string // those of Changed that are gone
	Added     []string // not at the commit, but known to git (staged)
	Untracked []string // unknown to git, and not ignored
}

// Diff compares the working tree under paths (relative to root) with ref.
// Paths in the result are relative to root, with forward slashes.
func Diff(ctx context.Context, root, ref string, paths ...string) (TreeDiff, error) {
	var d TreeDiff
	args := append([]string{"diff", "--relative", "--no-renames", "--name-status", "-z", ref, "--"}, paths...)
	out, err := run(ctx, root, args...)
	if err != nil {
		return d, err
	}
	fields := nulSplit(out)
	for i := 0; i+1 < len(fields); i += 2 {
		switch fields[i] {
		case "A":
			d.Added = append(d.Added, fields[i+1])
		case "D":
			d.Deleted = append(d.Deleted, fields[i+1])
			fallthrough
		default:
			d.Changed = append(d.Changed, fields[i+1])
		}
	}
	args = append([]string{"ls-files", "--others", "--exclude-standard", "-z", "--"}, paths...)
	if out, err = run(ctx, root, args...); err != nil {
		return d, err
	}
	d.Untracked = nulSplit(out)
	return d, nil
}

// nulSplit splits git's -z output.
func nulSplit(out []byte) []string {
	s := strings.TrimSuffix(string(out), "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// ChangedStarters returns the starter files of l (names in its folder) that
// differ from the commit HEAD, or an error when git cannot tell (no git, or
// no repository).
func ChangedStarters(ctx context.Context, l lesson.Lesson) ([]string, error) {
	dir, paths, err := StarterPaths(l)
	if err != nil {
		return nil, err
	}
	d, err := Diff(ctx, l.Root, "HEAD", paths...)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, p := range slices.Concat(d.Changed, d.Added, d.Untracked) {
		changed = append(changed, strings.TrimPrefix(p, dir+"/"))
	}
	slices.Sort(changed)
	return changed, nil
}

// StarterPaths returns the lesson's folder and its starter files as
// paths in the repository, as git names them.
func StarterPaths(l lesson.Lesson) (dir string, starters []string, err error) {
	files, err := l.StarterFiles()
	if err != nil {
		return "", nil, err
	}
	dir = filepath.ToSlash(filepath.Join("lessons", l.Name))
	for _, f := range files {
		starters = append(starters, dir+"/"+f)
	}
	return dir, starters, nil
}
