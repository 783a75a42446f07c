package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wscourse/tools/internal/syncbuf"
)

// fixture is a tiny course: 01-good (starter fails two of three tests, the
// solution passes), 02-done (already solved), 03-broken (does not build) and
// 04-nohint (a test without a hint, a hint without a test).
func fixture(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("testdata", "course"))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// fixtureCopy is the fixture in a temporary folder, for tests that change it.
func fixtureCopy(t *testing.T) string {
	t.Helper()
	src, dst := fixture(t), t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// output is a command's output, written while a test waits on it.
type output struct{ *syncbuf.Buffer }

func newOutput() *output { return &output{syncbuf.New()} }

// waitFor waits until s has appeared n times in the output.
func (o *output) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	if !o.WaitUntil(2*time.Minute, func(out string) bool { return strings.Count(out, s) >= n }) {
		t.Fatalf("waited 2m for %q to appear %d times; output:\n%s", s, n, o.String())
	}
}

type testEnv struct {
	*env
	out, errOut *output
	sigs        chan os.Signal
}

func newTestEnv(root string) *testEnv {
	te := &testEnv{out: newOutput(), errOut: newOutput(), sigs: make(chan os.Signal, 1)}
	te.env = &env{root: root, cwd: root, stdin: strings.NewReader(""), stdout: te.out, stderr: te.errOut, signals: te.sigs}
	return te
}

// runCmd runs one command line against root and returns its exit status and
// its standard output.
func runCmd(t *testing.T, root string, args ...string) (int, string) {
	t.Helper()
	te := newTestEnv(root)
	code := run(context.Background(), te.env, args)
	if s := te.errOut.String(); s != "" {
		t.Logf("stderr of %q:\n%s", args, s)
	}
	return code, te.out.String()
}

// assertInOrder checks that every want appears in got, in this order.
func assertInOrder(t *testing.T, got string, want ...string) {
	t.Helper()
	rest := got
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("output lacks %q (after the parts before it); output:\n%s", w, got)
			return
		}
		rest = rest[i+len(w):]
	}
}
