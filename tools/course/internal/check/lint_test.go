package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
)

func TestGofmtFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, dir := range []string{"a", "a/testdata", ".hidden"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ugly := "package a\nfunc  F( ) {}\n"
	coursetest.WriteFile(t, filepath.Join(root, "a", "ok.go"), "package a\n\nfunc F() {}\n")
	coursetest.WriteFile(t, filepath.Join(root, "a", "ugly.go"), ugly)
	coursetest.WriteFile(t, filepath.Join(root, "a", "testdata", "ugly.go"), ugly) // fixtures may be wrong on purpose
	coursetest.WriteFile(t, filepath.Join(root, ".hidden", "ugly.go"), ugly)
	got, err := gofmtFiles(t.Context(), coursetest.NewTerm(root).Env)
	if err != nil {
		t.Fatal(err)
	}
	want := "a/ugly.go: not gofmt-formatted (run gofmt -w a/ugly.go)"
	if len(got) != 1 || got[0] != want {
		t.Errorf("gofmtFiles = %q, want [%q]", got, want)
	}
}

// staticcheck leaves out U1000 on starters only: their stubs are unused until
// a student writes them.
func TestLintTargets(t *testing.T) {
	t.Parallel()
	targets, cleanup, err := lintTargets(coursetest.NewTerm(coursetest.Fixture(t)).Env)
	defer cleanup()
	if err != nil {
		t.Fatal(err)
	}
	starters := 0
	for _, tg := range targets {
		args := strings.Join(tg.staticcheckArgs(), " ")
		starter := strings.HasSuffix(tg.label, "(starter)")
		if starter {
			starters++
		}
		want := "./..."
		if starter {
			want = "-checks inherit,-U1000 ./..."
		}
		if args != want {
			t.Errorf("staticcheck on %s: args %q, want %q", tg.label, args, want)
		}
	}
	if starters == 0 {
		t.Error("no starter among the lint targets")
	}
}

func TestOwnChangesNote(t *testing.T) {
	lines := []string{
		"lessons/01-x/frame.go:3:2: unused variable (SA4006)",
		"lessons/01-x/main.go:9:1: something in a given file",
	}
	got := ownChangesNote(lines, "01-x", []string{"echo.go", "frame.go"})
	if len(got) != 1 || !strings.Contains(got[0], "your own changes to frame.go (not the committed starter)") || !strings.Contains(got[0], "checks the course as committed") {
		t.Errorf("ownChangesNote = %q, want one note naming frame.go alone", got)
	}
	if got := ownChangesNote(lines, "01-x", []string{"echo.go"}); got != nil {
		t.Errorf("ownChangesNote with no finding in a changed file = %q, want none", got)
	}
}
