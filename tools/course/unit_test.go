package main

import (
	"strings"
	"testing"
)

func TestCompareGo(t *testing.T) {
	for _, c := range []struct {
		have, need string
		ok         bool
	}{
		{"go1.26.0", "1.26.0", true},
		{"go1.26.8", "1.26.0", true},
		{"go1.27rc1", "1.26.0", true},
		{"go1.25.3", "1.26.0", false},
		{"devel go1.27-abcdef", "1.26.0", true},
	} {
		err := compareGo(c.have, c.need)
		if (err == nil) != c.ok {
			t.Errorf("compareGo(%q, %q) = %v, want ok %v", c.have, c.need, err, c.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), "Go 1.26.0 or newer") || !strings.Contains(err.Error(), "https://go.dev/dl/")) {
			t.Errorf("compareGo error %q does not say which Go is needed and where to get it", err)
		}
	}
}

func TestWorkGoVersion(t *testing.T) {
	v, err := workGoVersion("testdata/course/go.work")
	if err != nil || v != "1.26.0" {
		t.Errorf("workGoVersion = %q, %v; want 1.26.0", v, err)
	}
}

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
		"  main.parse(...)",
		"      lessons/01-x/frame.go:12",
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

func TestBuildErrorPaths(t *testing.T) {
	e := &env{cwd: "/course"}
	got := e.buildErrors("/course/lessons/01-x", []string{
		"./frame.go:3:4: undefined: x",
		"frame_test.go:5:1: syntax error",
		"/course/lessons/01-x/conn.go:9:2: declared and not used: y",
		"note: module requires Go 1.26",
	})
	want := []string{
		"lessons/01-x/frame.go:3:4: undefined: x",
		"lessons/01-x/frame_test.go:5:1: syntax error",
		"lessons/01-x/conn.go:9:2: declared and not used: y",
		"note: module requires Go 1.26",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("buildErrors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		line, name string
		want       bool
	}{
		{"see acceptKey in handshake.go", "handshake.go", true},
		{"lessons/01-handshake/handshake.go:12: oops", "handshake.go", true},
		{"handshake_test.go:18: got 1", "handshake.go", false},
		{"echo_test.go:3 and then echo.go", "echo.go", true},
		{"see myecho.go", "echo.go", false},
	} {
		if got := mentions(c.line, c.name); got != c.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", c.line, c.name, got, c.want)
		}
	}
}
