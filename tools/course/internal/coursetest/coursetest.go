// Package coursetest is what the runner's tests share: a tiny course to run
// commands on (testdata/course), buffers for a command's output, and small
// file helpers. Only tests import it.
//
// The fixture: 01-good (starter fails two of three tests, the solution
// passes), 02-done (already solved), 03-broken (does not build), 04-nohint
// (a test without a hint, a hint without a test), 05-caught (every mistake
// caught) and 06-missed (every way a mistake can fail its check).
package coursetest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/lesson"
	"wscourse/tools/internal/syncbuf"
)

// Fixture is the fixture course, for tests that leave it as it is.
func Fixture(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0) // the fixture sits beside this file
	if !ok {
		t.Fatal("coursetest: cannot tell where its fixture is")
	}
	return filepath.Join(filepath.Dir(file), "testdata", "course")
}

// FixtureCopy is the fixture in a temporary folder, for tests that change it.
func FixtureCopy(t testing.TB) string {
	t.Helper()
	src, dst := Fixture(t), t.TempDir()
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

// GitFixture is a copy of the fixture committed to a fresh git repository.
func GitFixture(t testing.TB) string {
	t.Helper()
	root := FixtureCopy(t)
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "."},
		{"-c", "user.name=course", "-c", "user.email=course@example.com", "commit", "-q", "-m", "start"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return root
}

// Output is a command's output, written while a test waits on it.
type Output struct{ *syncbuf.Buffer }

func NewOutput() *Output { return &Output{syncbuf.New()} }

// WaitFor waits until s has appeared n times in the output.
func (o *Output) WaitFor(t testing.TB, s string, n int) {
	t.Helper()
	if !o.WaitUntil(2*time.Minute, func(out string) bool { return strings.Count(out, s) >= n }) {
		t.Fatalf("waited 2m for %q to appear %d times; output:\n%s", s, n, o.String())
	}
}

// Term is a terminal on the course at root whose output tests read.
type Term struct {
	*term.Env
	Out, ErrOut *Output
}

func NewTerm(root string) *Term {
	tm := &Term{Out: NewOutput(), ErrOut: NewOutput()}
	tm.Env = &term.Env{Root: root, Cwd: root, Stdout: tm.Out, Stderr: tm.ErrOut}
	return tm
}

// AssertInOrder checks that every want appears in got, in this order.
func AssertInOrder(t testing.TB, got string, want ...string) {
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

func MustLesson(t testing.TB, root string, n int) lesson.Lesson {
	t.Helper()
	l, err := lesson.Find(root, n)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func RemoveFile(t testing.TB, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func ReadFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
