package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/hints"
	"wscourse/tools/internal/lesson"
)

// report is one run of a lesson's tests, put in lesson order with the hints.
type report struct {
	lesson   lesson.Lesson
	res      *gotest.Result
	entries  []entry
	raceNote string // why they ran without -race; "" when with it
}

// entry is one top-level test of the lesson.
type entry struct {
	name   string
	status gotest.Status
	test   *gotest.Test // nil when it never started
	hint   string
	hinted bool
}

// testLesson runs the lesson's tests in place on the student's code, with the
// race detector where it works. The build and test caches stay on, so an
// unchanged lesson answers at once. A zero timeout means
// gotest.DefaultTimeout.
func testLesson(ctx context.Context, l lesson.Lesson, timeout time.Duration, s *status) (*report, error) {
	return runLesson(ctx, l, gotest.Options{Timeout: timeout}, s)
}

// untilFailure runs the lesson's tests as testLesson does until the one the
// report shows first has failed: the tests after it in lesson order would
// only add their time.
func untilFailure(ctx context.Context, l lesson.Lesson, timeout time.Duration) (*report, error) {
	return runLesson(ctx, l, gotest.Options{Timeout: timeout, FailFast: true}, nil)
}

func runLesson(ctx context.Context, l lesson.Lesson, opt gotest.Options, s *status) (*report, error) {
	note := lessonRace.off(ctx)
	opt.Race = note == ""
	what := fmt.Sprintf("lesson %d", l.Num)
	opt.Notify = s.goTest(what, opt.Race)
	res, err := gotest.Run(ctx, l.Dir, opt)
	if opt.Race && ctx.Err() == nil {
		// A race build can fail for want of cgo where `go env` did not tell.
		if off := lessonRace.turnOff(raceOutput(res, err)); off != "" {
			note, opt.Race = off, false
			opt.Notify = s.goTest(what, opt.Race)
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
	r, err := newReport(l, res)
	if err != nil {
		return nil, err
	}
	r.raceNote = note
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
		r, err := newReport(l, res)
		if err != nil || res.BuildFailed {
			return err
		}
		var left []string
		for _, en := range r.entries {
			if en.status == gotest.Failed {
				break
			}
			if en.test == nil {
				left = append(left, regexp.QuoteMeta(en.name))
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

// newReport orders the tests: first those with a section in hints.md, in the
// sections' order, then tests that ran without a hint, then tests in the
// source that never started (the binary died before them).
func newReport(l lesson.Lesson, res *gotest.Result) (*report, error) {
	hs, err := hints.Load(l.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	funcs, funcsErr := l.TestFuncs()
	exists := func(name string) bool {
		return funcsErr != nil || slices.Contains(funcs, name) || res.Test(name) != nil
	}
	r := &report{lesson: l, res: res}
	seen := map[string]bool{}
	add := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		en := entry{name: name, test: res.Test(name)}
		if en.test != nil {
			en.status = en.test.Status
		}
		if h, ok := hints.Find(hs, name); ok {
			en.hint, en.hinted = h.Text, true
		}
		r.entries = append(r.entries, en)
	}
	for _, h := range hs {
		if exists(h.Test) {
			add(h.Test)
		}
	}
	for _, t := range res.Tests {
		add(t.Name)
	}
	for _, name := range funcs {
		add(name)
	}
	return r, nil
}

// count returns how many tests ended with status s.
func (r *report) count(s gotest.Status) int {
	n := 0
	for _, en := range r.entries {
		if en.status == s {
			n++
		}
	}
	return n
}

// firstFailure is the first failed test in lesson order, or nil.
func (r *report) firstFailure() *entry {
	for i := range r.entries {
		if r.entries[i].status == gotest.Failed {
			return &r.entries[i]
		}
	}
	return nil
}

// done reports whether every test passed (or was skipped) and the lesson built.
func (r *report) done() bool {
	return !r.res.BuildFailed && !r.res.Failed && len(r.entries) > 0 &&
		r.count(gotest.Failed) == 0 && r.count(gotest.NotRun) == 0
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
