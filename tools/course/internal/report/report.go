// Package report turns a run of a lesson's tests (go test -json) into the
// report a student reads: every test in the lesson's order, the first
// failure's message with its likely cause (a panic, a data race, a panic
// net/http recovered) shown first and condensed to the lesson's own code,
// then its hint. Run runs the tests; Report.Print writes the report.
package report

import (
	"errors"
	"io/fs"
	"slices"

	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/hints"
	"wscourse/tools/internal/lesson"
)

// Report is one run of a lesson's tests, put in lesson order with the hints.
type Report struct {
	Lesson   lesson.Lesson
	Result   *gotest.Result
	Entries  []Entry
	RaceNote string // why they ran without -race; "" when with it
}

// Entry is one top-level test of the lesson.
type Entry struct {
	Name   string
	Status gotest.Status
	Test   *gotest.Test // nil when it never started
	hint   string
	hinted bool
}

// New orders the tests: first those with a section in hints.md, in the
// sections' order, then tests that ran without a hint, then tests in the
// source that never started (the binary died before them).
func New(l lesson.Lesson, res *gotest.Result) (*Report, error) {
	hs, err := hints.Load(l.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	funcs, funcsErr := l.TestFuncs()
	exists := func(name string) bool {
		return funcsErr != nil || slices.Contains(funcs, name) || res.Test(name) != nil
	}
	r := &Report{Lesson: l, Result: res}
	seen := map[string]bool{}
	add := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		en := Entry{Name: name, Test: res.Test(name)}
		if en.Test != nil {
			en.Status = en.Test.Status
		}
		if h, ok := hints.Find(hs, name); ok {
			en.hint, en.hinted = h.Text, true
		}
		r.Entries = append(r.Entries, en)
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

// Count returns how many tests ended with status s.
func (r *Report) Count(s gotest.Status) int {
	n := 0
	for _, en := range r.Entries {
		if en.Status == s {
			n++
		}
	}
	return n
}

// FirstFailure is the first failed test in lesson order, or nil.
func (r *Report) FirstFailure() *Entry {
	for i := range r.Entries {
		if r.Entries[i].Status == gotest.Failed {
			return &r.Entries[i]
		}
	}
	return nil
}

// Done reports whether every test passed (or was skipped) and the lesson built.
func (r *Report) Done() bool {
	return !r.Result.BuildFailed && !r.Result.Failed && len(r.Entries) > 0 &&
		r.Count(gotest.Failed) == 0 && r.Count(gotest.NotRun) == 0
}
