package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// output is a buffer safe to write from a command while a test waits on it.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{}
}

func newOutput() *output { return &output{written: make(chan struct{}, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	select {
	case o.written <- struct{}{}:
	default:
	}
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until s has appeared n times in the output.
func (o *output) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for strings.Count(o.String(), s) < n {
		select {
		case <-o.written:
		case <-deadline:
			t.Fatalf("waited 2m for %q to appear %d times; output:\n%s", s, n, o.String())
		}
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
