package gotest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// module writes a one-package module with the given test file.
func module(t *testing.T, test string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":    "module m\n\ngo 1.26.0\n",
		"m_test.go": test,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := module(t, "package m\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) {}\nfunc TestBad(t *testing.T) { t.Error(\"got 1, want 2\") }\n")
	res, err := Run(t.Context(), dir, Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Test("TestOK").Status != Passed || res.Test("TestBad").Status != Failed || !res.Failed {
		t.Errorf("Run: %+v, %+v", res.Test("TestOK"), res.Test("TestBad"))
	}
}

// Options.Timeout replaces the default -timeout: a hung test ends the run
// then, unfinished, and says so.
func TestRunTimeout(t *testing.T) {
	t.Parallel()
	dir := module(t, "package m\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestHang(t *testing.T) { <-time.After(time.Hour) }\n")
	res, err := Run(t.Context(), dir, Options{NoCache: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	hang := res.Test("TestHang")
	if hang == nil || !hang.Unfinished || !strings.Contains(strings.Join(hang.Output, "\n"), "test timed out after 1s") {
		t.Errorf("TestHang = %+v; want it unfinished after a 1s timeout", hang)
	}
	if got := (Options{}).TimeoutOrDefault(); got != DefaultTimeout {
		t.Errorf("zero Options time out after %v, want %v", got, DefaultTimeout)
	}
}

func TestRaceOptions(t *testing.T) {
	for _, tc := range []struct{ user, want string }{
		{"", "GORACE=atexit_sleep_ms=0"},
		{"halt_on_error=1", "GORACE=halt_on_error=1 atexit_sleep_ms=0"},
		{"atexit_sleep_ms=50", "GORACE=atexit_sleep_ms=50"},
	} {
		if got := raceOptions(tc.user); got != tc.want {
			t.Errorf("raceOptions(%q) = %q, want %q", tc.user, got, tc.want)
		}
	}
}
