package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
)

func TestRaceNote(t *testing.T) {
	const needsCgo = "it needs cgo, which is off here (`go env CGO_ENABLED` is 0); to turn it on, install a C compiler (gcc or clang) and set CGO_ENABLED=1"
	for _, c := range []struct {
		goos, cgo, goOut string
		want             string // a part of the note; "" for none
	}{
		{"linux", "1", "", ""},
		{"darwin", "0", "", ""}, // macOS needs no cgo for -race
		{"windows", "0", "", needsCgo},
		{"linux", "0", "", needsCgo},
		{"", "", "go test in /x: go: -race requires cgo; enable cgo by setting CGO_ENABLED=1", needsCgo},
		{"", "", `cgo: C compiler "gcc" not found: exec: "gcc": executable file not found in $PATH`, "it needs a C compiler, and cgo found none; to turn it on, install"},
		{"", "", "go test in /x: -race is not supported on linux/386", "Go has none for linux/386"},
		{"", "", "./a.go:3:1: syntax error", ""}, // a lesson that does not build is no reason
	} {
		got := raceNote(c.goos, c.cgo, c.goOut)
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("raceNote(%q, %q, %q) = %q, want %q", c.goos, c.cgo, c.goOut, got, c.want)
		}
		if got != "" && (strings.Contains(got, "\n") || !strings.HasPrefix(got, "note: the tests run without the race detector")) {
			t.Errorf("raceNote(%q, %q, %q) = %q, want one line that says the tests run without it", c.goos, c.cgo, c.goOut, got)
		}
	}
}

// The lesson's tests run with the race detector: a data race in the
// student's code fails the test it happens in, and the report says so first.
func TestLessonCatchesRace(t *testing.T) {
	t.Parallel()
	if note := RaceOff(t.Context()); note != "" {
		t.Skip(note)
	}
	root := coursetest.FixtureCopy(t)
	racy := "package main\n\nimport (\n\t\"sync\"\n\t\"testing\"\n)\n\nvar count int\n\n" +
		"func TestRace(t *testing.T) {\n\tvar wg sync.WaitGroup\n\tfor range 2 {\n\t\twg.Go(func() { count++ })\n\t}\n\twg.Wait()\n}\n"
	if err := os.WriteFile(filepath.Join(root, "lessons", "02-done", "race_test.go"), []byte(racy), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run(t.Context(), coursetest.MustLesson(t, root, 2), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Done() {
		t.Error("Done() = true for a run with a data race")
	}
	tm := coursetest.NewTerm(root)
	r.Print(tm.Env, false)
	out := tm.Out.String()
	coursetest.AssertInOrder(t, out, "failed   TestRace\n",
		"The race detector found two goroutines touching the same memory without synchronisation",
		"lessons/02-done/race_test.go:13 in TestRace.func1")
}
