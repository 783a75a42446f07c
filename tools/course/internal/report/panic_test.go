package report

import (
	"strings"
	"testing"
)

func TestTrimTrace(t *testing.T) {
	in := []string{
		"some log line",
		"panic: boom [recovered]",
		"",
		"goroutine 7 [running]:",
		"testing.tRunner.func1()",
		"\t/usr/local/go/src/testing/testing.go:1974 +0x232",
		"main.parse(...)",
		"\t/course/lessons/01-x/frame.go:12 +0x28",
		"",
		"goroutine 1 [chan receive]:",
		"testing.(*T).Run()",
		"\t/usr/local/go/src/testing/testing.go:2109 +0x4e5",
	}
	rel := func(p string) string { return strings.TrimPrefix(p, "/course/") }
	got := strings.Join(trimTrace(in, "/course/lessons/01-x", rel), "\n")
	want := strings.Join([]string{
		"some log line",
		"panic: boom [recovered]",
		"goroutine 7 [running]:",
		"  lessons/01-x/frame.go:12 in parse",
		"(stack frames outside the lesson's files left out)",
	}, "\n")
	if got != want {
		t.Errorf("trimTrace =\n%s\nwant\n%s", got, want)
	}
	plain := []string{"a_test.go:3: got 1, want 2"}
	if got := trimTrace(plain, "/x", rel); len(got) != 1 || got[0] != plain[0] {
		t.Errorf("trimTrace changed output without a dump: %q", got)
	}
}
