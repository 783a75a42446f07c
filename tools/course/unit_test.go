package main

import (
	"os"
	"path/filepath"
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

func TestMentionAt(t *testing.T) {
	for _, c := range []struct {
		line, name string
		want       int
	}{
		{"see acceptKey in handshake.go", "handshake.go", 17},
		{"lessons/01-handshake/handshake.go:12: oops", "handshake.go", 21},
		{"handshake_test.go:18: got 1", "handshake.go", -1},
		{"echo_test.go:3 and then echo.go", "echo.go", 24},
		{"see myecho.go", "echo.go", -1},
	} {
		if got := mentionAt(c.line, c.name); got != c.want {
			t.Errorf("mentionAt(%q, %q) = %d, want %d", c.line, c.name, got, c.want)
		}
	}
}

func TestUserDir(t *testing.T) {
	if got := userDir(""); got != "" {
		t.Errorf(`userDir("") = %q, want "" (the working directory)`, got)
	}
	wd, _ := os.Getwd()
	lessonDir := filepath.Join(wd, "lessons", "01-x")
	if got := userDir(lessonDir); got != lessonDir {
		t.Errorf("userDir(%q) = %q, want it unchanged", lessonDir, got)
	}
	if got := userDir(filepath.Join("lessons", "01-x")); got != lessonDir {
		t.Errorf("userDir(relative) = %q, want %q", got, lessonDir)
	}
	e := &env{cwd: userDir(lessonDir)}
	if got := e.rel(filepath.Join(lessonDir, "frame.go")); got != "frame.go" {
		t.Errorf("rel from the lesson folder = %q, want frame.go", got)
	}
}

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

func TestShortFunc(t *testing.T) {
	for in, want := range map[string]string{
		"wscourse/lessons/01-x.(*conn).readFrame(0xc000010000, {0x1, 0x2})":    "(*conn).readFrame",
		"wscourse/lessons/01-x.parse(...)":                                     "parse",
		"main.echo.func1()":                                                    "echo.func1",
		"created by wscourse/lessons/01-x.(*hub).run in goroutine 7":           "created by (*hub).run",
		"wscourse/lessons/02-echo.serveGorilla({0xa05bd8, 0xc0001a2000}, 0x1)": "serveGorilla",
	} {
		if got := shortFunc(in); got != want {
			t.Errorf("shortFunc(%q) = %q, want %q", in, got, want)
		}
	}
}
