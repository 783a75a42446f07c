package main

import (
	"context"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/hints"
	"wscourse/tools/internal/lesson"
)

// report is one run of a lesson's tests, put in lesson order with the hints.
type report struct {
	lesson  lesson.Lesson
	res     *gotest.Result
	entries []entry
}

// entry is one top-level test of the lesson.
type entry struct {
	name   string
	status gotest.Status
	test   *gotest.Test // nil when it never started
	hint   string
	hinted bool
}

// testLesson runs the lesson's tests in place on the student's code. The
// build and test caches stay on, so an unchanged lesson answers at once.
func testLesson(ctx context.Context, l lesson.Lesson) (*report, error) {
	res, err := gotest.Run(ctx, l.Dir, gotest.Options{})
	if err != nil {
		return nil, err
	}
	if err := runUnreached(ctx, l, res); err != nil {
		return nil, err
	}
	return newReport(l, res)
}

// runUnreached runs again the tests a crash kept from running, so that a
// panic in one test does not hide which of the others pass. Go runs test
// files in name order, not lesson order: a crash in frame_test.go would
// otherwise leave handshake_test.go's tests, earlier in the lesson, not run.
// After a timeout it does not try again: each further run could wait the
// whole timeout once more.
func runUnreached(ctx context.Context, l lesson.Lesson, res *gotest.Result) error {
	funcs, err := l.TestFuncs()
	if err != nil || res.BuildFailed {
		return nil // the report lists what ran; nothing more to try
	}
	for range funcs {
		var left []string
		for _, name := range funcs {
			if res.Test(name) == nil {
				left = append(left, regexp.QuoteMeta(name))
			}
		}
		if len(left) == 0 || timedOut(res) {
			return nil
		}
		more, err := gotest.Run(ctx, l.Dir, gotest.Options{Run: "^(" + strings.Join(left, "|") + ")$"})
		if err != nil {
			return err
		}
		if more.BuildFailed || len(more.Tests) == 0 {
			return nil
		}
		res.Tests = append(res.Tests, more.Tests...)
		res.PackageOutput = append(res.PackageOutput, more.PackageOutput...)
		res.Failed = res.Failed || more.Failed
	}
	return nil
}

// timedOut reports whether the test binary was stopped by -timeout.
func timedOut(res *gotest.Result) bool {
	for _, t := range res.Tests {
		if slices.ContainsFunc(t.Output, func(line string) bool {
			return strings.Contains(line, "test timed out")
		}) {
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
