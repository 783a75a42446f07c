package report

import (
	"strings"
	"testing"
)

func TestSplitCause(t *testing.T) {
	rel := func(p string) string { return strings.TrimPrefix(p, "/course/") }
	dump := []string{
		"goroutine 7 [running]:",
		"wscourse/lessons/01-x.parse(...)",
		"\t/course/lessons/01-x/frame.go:12 +0x28",
	}
	// A panic comes first, what the test printed before it after.
	c, rest := splitCause(append([]string{"x_test.go:5: sent a frame", "panic: boom [recovered]", ""}, dump...), "/course/lessons/01-x", rel)
	if c == nil || c.headline != panicHeadline {
		t.Fatalf("cause = %+v, want the panic", c)
	}
	if got, want := strings.Join(c.lines, "|"), "panic: boom [recovered]|goroutine 7 [running]:|  lessons/01-x/frame.go:12 in parse"; got != want {
		t.Errorf("cause lines = %q, want %q", got, want)
	}
	if got := strings.Join(rest, "|"); got != "x_test.go:5: sent a frame" {
		t.Errorf("rest = %q, want the test's line alone", got)
	}
	// A timeout is no cause: the report names it in its own words.
	c, rest = splitCause(append([]string{"panic: test timed out after 2m0s"}, dump...), "/course/lessons/01-x", rel)
	if c != nil || len(rest) != 3 || rest[0] != "panic: test timed out after 2m0s" {
		t.Errorf("timeout: cause %+v, rest %q; want no cause and the dump trimmed in place", c, rest)
	}
	// Nothing to find: the output as it was, but for the testing package's
	// line about a race.
	c, rest = splitCause([]string{"x_test.go:3: got 1, want 2", "testing.go:1712: race detected during execution of test"}, "/x", rel)
	if c != nil || len(rest) != 1 {
		t.Errorf("plain output: cause %+v, rest %q", c, rest)
	}
}
