package report

import (
	"regexp"
	"strings"
)

// goroutineHeader starts one goroutine's stack in a panic or timeout dump.
var goroutineHeader = regexp.MustCompile(`^goroutine \d+ \[`)

// panicStart returns the index of the line a Go panic or fatal error starts
// its dump with, or -1.
func panicStart(lines []string) int {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "panic: ") || strings.HasPrefix(t, "fatal error: ") {
			return i
		}
	}
	return -1
}

// trimTrace shortens a panic or timeout dump to what a student can act on:
// the lines before it, the panic message, and the stack frames in the
// lesson's own files (dir), with paths made relative by rel. Output without
// a dump comes back unchanged.
func trimTrace(lines []string, dir string, rel func(string) string) []string {
	start := panicStart(lines)
	if start < 0 {
		return lines
	}
	out := append([]string(nil), lines[:start]...)
	i := start
	for ; i < len(lines) && !goroutineHeader.MatchString(strings.TrimSpace(lines[i])); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			out = append(out, lines[i])
		}
	}
	s := &stack{dir: dir, rel: rel}
	for i < len(lines) {
		header := strings.TrimSpace(lines[i])
		if !goroutineHeader.MatchString(header) {
			i++ // a blank line, or the runtime's notes between goroutines
			continue
		}
		var frames []string
		frames, i = s.frames(lines, i+1)
		if len(frames) > 0 {
			out = append(out, header)
			out = append(out, frames...)
		}
	}
	return append(out, s.leftOut()...)
}
