package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"time"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/lesson"
)

// env is what a command sees of the world, so tests can give it a fixture
// course, buffers for its output and their own signals. The part the report
// and the authors' checks see too is term.Env; the rest only commands use.
type env struct {
	term.Env
	stdin    io.Reader
	terminal bool // stdout is a terminal: clear the screen between watch runs
	canAsk   bool // stdin is a terminal: confirmations can be typed
	viaMake  bool // started by make: advice names make targets
	signals  <-chan os.Signal
	watch    watchTiming   // zero: defaultWatch
	timeout  time.Duration // go test's -timeout for lesson runs; zero: gotest.DefaultTimeout
	watching bool          // in watch mode: reports say saving reruns the tests
}

// courseRoot returns the course root, finding it the first time.
func (e *env) courseRoot() (string, error) {
	if e.Root != "" {
		return e.Root, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := lesson.FindRoot(wd)
	if err != nil {
		return "", err
	}
	e.Root = root
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
