package report

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/lesson"
)

// Run runs the lesson's tests in place on the student's code, with the
// race detector where it works. The build and test caches stay on, so an
// unchanged lesson answers at once. A zero timeout means
// gotest.DefaultTimeout.
func Run(ctx context.Context, l lesson.Lesson, timeout time.Duration, s *term.Status) (*Report, error) {
	return run(ctx, l, gotest.Options{Timeout: timeout}, s)
}

// UntilFailure runs the lesson's tests as Run does until the one the
// report shows first has failed: the tests after it in lesson order would
// only add their time.
func UntilFailure(ctx context.Context, l lesson.Lesson, timeout time.Duration) (*Report, error) {
	return run(ctx, l, gotest.Options{Timeout: timeout, FailFast: true}, nil)
}

func run(ctx context.Context, l lesson.Lesson, opt gotest.Options, s *term.Status) (*Report, error) {
	note := RaceOff(ctx)
	opt.Race = note == ""
	what := fmt.Sprintf("lesson %d", l.Num)
	opt.Notify = s.GoTest(what, opt.Race)
	res, err := gotest.Run(ctx, l.Dir, opt)
	if opt.Race && ctx.Err() == nil {
		// A race build can fail for want of cgo where `go env` did not tell.
		if off := lessonRace.turnOff(raceOutput(res, err)); off != "" {
			note, opt.Race = off, false
			opt.Notify = s.GoTest(what, opt.Race)
			res, err = gotest.Run(ctx, l.Dir, opt)
		}
	}
	if err != nil {
		return nil, err
	}
	rerun := runUnreached
	if opt.FailFast {
		rerun = runBeforeFailure
	}
	if err := rerun(ctx, l, res, opt); err != nil {
		return nil, err
	}
	r, err := New(l, res)
	if err != nil {
		return nil, err
	}
	r.RaceNote = note
	return r, nil
}

// raceOutput is what go said when a run failed before any test ran: the
// error, or the build output.
func raceOutput(res *gotest.Result, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case res.BuildFailed:
		return strings.Join(res.BuildOutput, "\n")
	}
	return ""
}

// maxTimeouts bounds the runs that end in a timeout: each waits the whole
// -timeout, so after the second the tests still left are reported not run.
const maxTimeouts = 2

// runUnreached runs again the tests a crash or a timeout kept from running,
// so that one broken test does not hide which of the others pass. Go runs
// test files in name order, not lesson order: a crash in frame_test.go would
// otherwise leave handshake_test.go's tests, earlier in the lesson, not run.
// The test that crashed or timed out is in res already, so it is not run
// again.
func runUnreached(ctx context.Context, l lesson.Lesson, res *gotest.Result, opt gotest.Options) error {
	funcs, err := l.TestFuncs()
	if err != nil || res.BuildFailed {
		return nil // the report lists what ran; nothing more to try
	}
	timeouts := 0
	if timedOut(res) {
		timeouts++
	}
	for range funcs {
		var left []string
		for _, name := range funcs {
			if res.Test(name) == nil {
				left = append(left, regexp.QuoteMeta(name))
			}
		}
		if len(left) == 0 || timeouts >= maxTimeouts {
			return nil
		}
		more, err := rerun(ctx, l, res, opt, left)
		if more == nil {
			return err
		}
		if timedOut(more) {
			timeouts++
		}
	}
	return nil
}

// runBeforeFailure runs, each time with -failfast, the tests that come
// before the first failure in lesson order (hints.md's) and have not run,
// until none is left: go runs test files in name order, so -failfast may stop
// at a test that comes later in the lesson than one it never started.
func runBeforeFailure(ctx context.Context, l lesson.Lesson, res *gotest.Result, opt gotest.Options) error {
	for {
		r, err := New(l, res)
		if err != nil || res.BuildFailed {
			return err
		}
		var left []string
		for _, en := range r.Entries {
			if en.Status == gotest.Failed {
				break
			}
			if en.Test == nil {
				left = append(left, regexp.QuoteMeta(en.Name))
			}
		}
		if len(left) == 0 {
			return nil
		}
		if more, err := rerun(ctx, l, res, opt, left); more == nil {
			return err // each round runs one test at least, or ends here
		}
	}
}

// addRerun adds the tests of a rerun to res. They ran after the binaries
// before them, so their times count on from those: a student waits for all.
func addRerun(res, more *gotest.Result) {
	for _, t := range more.Tests {
		t.Ended += res.Ran
	}
	res.Ran += more.Ran
	res.Tests = append(res.Tests, more.Tests...)
	res.PackageOutput = append(res.PackageOutput, more.PackageOutput...)
	res.Failed = res.Failed || more.Failed
}

// timedOut reports whether the test binary was stopped by -timeout.
func timedOut(res *gotest.Result) bool {
	for _, t := range res.Tests {
		if timeoutAfter(t.Output) != "" {
			return true
		}
	}
	return false
}

// rerun runs the tests named (as patterns) and adds what they did to res.
// It returns nil when none ran: the build failed, or go test did.
func rerun(ctx context.Context, l lesson.Lesson, res *gotest.Result, opt gotest.Options, names []string) (*gotest.Result, error) {
	opt.Run = "^(" + strings.Join(names, "|") + ")$"
	more, err := gotest.Run(ctx, l.Dir, opt)
	if err != nil || more.BuildFailed || len(more.Tests) == 0 {
		return nil, err
	}
	addRerun(res, more)
	return more, nil
}
