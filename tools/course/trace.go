package main

import (
	"path/filepath"
	"regexp"
	"strings"
)

// goroutineHeader starts one goroutine's stack in a panic or timeout dump.
var goroutineHeader = regexp.MustCompile(`^goroutine \d+ \[`)

// trimTrace shortens a panic or timeout dump to what a student can act on:
// the lines before it, the panic message, and the stack frames in the
// lesson's own files (dir), with paths made relative by rel. Output without
// a dump comes back unchanged.
func trimTrace(lines []string, dir string, rel func(string) string) []string {
	start := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "panic: ") || strings.HasPrefix(t, "fatal error: ") {
			start = i
			break
		}
	}
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
	prefix := filepath.ToSlash(dir) + "/"
	omitted := false
	for i < len(lines) {
		header := lines[i]
		i++
		var frames []string
		for ; i < len(lines) && !goroutineHeader.MatchString(strings.TrimSpace(lines[i])); i++ {
			file := strings.TrimSpace(lines[i])
			if !strings.HasPrefix(lines[i], "\t") && !strings.HasPrefix(lines[i], "  \t") {
				continue // a function line; its file follows on the next line
			}
			if strings.HasPrefix(filepath.ToSlash(file), prefix) {
				fn := strings.TrimSpace(lines[i-1])
				path, _, _ := strings.Cut(file, " +0x")
				frames = append(frames, "  "+fn, "      "+rel(path))
			} else {
				omitted = true
			}
		}
		if len(frames) > 0 {
			out = append(out, strings.TrimSpace(header))
			out = append(out, frames...)
		}
	}
	if omitted {
		out = append(out, "(stack frames outside the lesson's files left out)")
	}
	return out
}
