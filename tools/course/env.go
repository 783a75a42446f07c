package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	"wscourse/tools/internal/lesson"
)

// env is what a command sees of the world, so tests can give it a fixture
// course, buffers for its output and their own signals.
type env struct {
	root     string // course root; found from the working directory when empty
	cwd      string // paths are shown relative to it; the working directory when empty
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
	color    bool // stdout is a terminal and NO_COLOR is unset
	terminal bool // stdout is a terminal: clear the screen between watch runs
	// liveStatus: stderr is a terminal that can go back to the start of a
	// line, so progress is one line rewritten rather than plain lines.
	liveStatus bool
	canAsk     bool // stdin is a terminal: confirmations can be typed
	viaMake    bool // started by make: advice names make targets
	signals    <-chan os.Signal
	watch      watchTiming   // zero: defaultWatch
	timeout    time.Duration // go test's -timeout for lesson runs; zero: gotest.DefaultTimeout
	watching   bool          // in watch mode: reports say saving reruns the tests
}

// courseRoot returns the course root, finding it the first time.
func (e *env) courseRoot() (string, error) {
	if e.root != "" {
		return e.root, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := lesson.FindRoot(wd)
	if err != nil {
		return "", err
	}
	e.root = root
	return root, nil
}

// userDir is where the user stands when a lesson folder's Makefile passes
// it on (COURSE_CWD): make runs the runner from the root, yet paths read
// best relative to the folder the user typed make in. Empty when unset.
func userDir(courseCWD string) string {
	if courseCWD == "" {
		return ""
	}
	if abs, err := filepath.Abs(courseCWD); err == nil {
		return abs
	}
	return courseCWD
}

// rel shows path relative to where the user stands, so that it can be
// clicked in a terminal or pasted into an editor.
func (e *env) rel(path string) string {
	base := e.cwd
	if base == "" {
		base, _ = os.Getwd()
	}
	if r, err := filepath.Rel(base, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}

// interruptible returns a context cancelled by the first SIGINT or SIGTERM,
// for commands that have nothing to forward signals to.
func (e *env) interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-e.signals:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
