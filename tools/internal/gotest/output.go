package gotest

import (
	"regexp"
	"strings"
)

// frame matches the lines go test wraps each test's output in.
var frame = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)\s|--- (PASS|FAIL|SKIP): )`)

// addOutput adds one output event of test name (maybe a subtest) to t.
// A subtest's lines come after a heading that names it, so a student can tell
// which case failed.
func (t *Test) addOutput(name, out string) {
	line := strings.TrimRight(out, "\n")
	if frame.MatchString(line) {
		return
	}
	_, sub, ok := strings.Cut(name, "/")
	if !ok {
		t.lastSub = ""
		t.Output = append(t.Output, dedent(line))
		return
	}
	if sub != t.lastSub {
		t.lastSub = sub
		t.Output = append(t.Output, sub+":")
	}
	t.Output = append(t.Output, "  "+dedent(line))
}

// dedent drops the four spaces the testing package puts before t.Log output.
func dedent(line string) string {
	return strings.TrimPrefix(line, "    ")
}
