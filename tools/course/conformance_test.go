package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

func TestConformanceUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"conformance"},
		{"conformance", "3"},
		{"conformance", "-ref"},
		{"conformance", "-url", "ws://127.0.0.1:1/ws", "-ref"},
		{"conformance", "1", "-url", "ws://127.0.0.1:1/ws"},
		{"conformance", "1", "extra"},
	} {
		te := newTestEnv(coursetest.Fixture(t))
		if code := run(t.Context(), te.env, args); code != term.ExitUsage {
			t.Errorf("%q: exit status %d, want %d (a usage error)", args, code, term.ExitUsage)
		}
		if te.errOut.String() == "" {
			t.Errorf("%q: nothing on stderr; a usage error must say what to type", args)
		}
	}
}

// A server that refuses every handshake fails the cases it was given, and
// the reports are written all the same: a failing run is the one a student
// reads them for.
func TestConformanceByURL(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	out := t.TempDir()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	te := newTestEnv(coursetest.Fixture(t))
	code := run(t.Context(), te.env, []string{"conformance", "-url", url, "-only", "1.1.1,2.1", "-out", out})
	if code != term.ExitFail {
		t.Errorf("exit status %d, want %d: every case failed", code, term.ExitFail)
	}
	if got := te.out.String(); !strings.Contains(got, "fail") {
		t.Errorf("summary %q does not report the failures", got)
	}
	for _, name := range []string{"report.md", "report.json"} {
		matches, _ := filepath.Glob(filepath.Join(out, "*", name))
		if len(matches) != 1 {
			t.Errorf("%s: found %v under %s, want one", name, matches, out)
			continue
		}
		if b, err := os.ReadFile(matches[0]); err != nil || len(b) == 0 {
			t.Errorf("%s: empty or unreadable (%v)", matches[0], err)
		}
	}
}
