package gotest

import "time"

// Status is what became of one top-level test.
type Status int

const (
	NotRun  Status = iota // started no run, or the binary died before it began
	Passed                // its pass event arrived
	Failed                // its fail event arrived, or it never finished
	Skipped               // t.Skip
)

func (s Status) String() string {
	switch s {
	case Passed:
		return "passed"
	case Failed:
		return "failed"
	case Skipped:
		return "skipped"
	default:
		return "not run"
	}
}

// Test is one top-level test (Test* or Fuzz*) with its subtests folded in.
type Test struct {
	Name   string
	Status Status
	// Unfinished is set when the test started but had no end event: the test
	// binary timed out or crashed while it ran.
	Unfinished bool
	// Started is how long the test binary had run when the test started, as
	// Ended is measured. Zero when the stream has no times.
	Started time.Duration
	// Ended is how long the test binary had run when the test ended: from
	// the binary's start to the test's end event (to the binary's end for an
	// unfinished test). The build is not in it, so a loaded machine, where
	// builds crawl, changes it little. Zero when the stream has no times.
	Ended time.Duration
	// Output is the test's own output and its subtests', in order, without the
	// `=== RUN` and `--- FAIL` lines go test frames them with.
	Output []string

	lastSub string // the subtest whose lines Output ends with
}

// Result is one `go test -json` run.
type Result struct {
	// BuildFailed is set when a package or its tests did not compile; then
	// BuildOutput holds the compiler's lines and no test ran.
	BuildFailed bool
	BuildOutput []string
	// VetFailed is set when the build failed on the checks of go vet that go
	// test runs, rather than on compiler errors.
	VetFailed bool
	// Tests are the top-level tests in the order they started.
	Tests []*Test
	// PackageOutput is output that belongs to no test (a crash in TestMain or
	// init, a setup failure), without the summary lines.
	PackageOutput []string
	// Failed is set when any package failed, whatever the reason.
	Failed bool
	// Ran is how long the test binary ran, start to end, the build left out
	// (the longest of them when there are several packages).
	Ran time.Duration
	// Cached is set when go test reused a package's result from its test
	// cache instead of running the tests: their times are then near zero.
	Cached bool
}

// Test returns the named top-level test, or nil if it never started.
func (r *Result) Test(name string) *Test {
	for _, t := range r.Tests {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Count returns how many top-level tests ended with status s.
func (r *Result) Count(s Status) int {
	n := 0
	for _, t := range r.Tests {
		if t.Status == s {
			n++
		}
	}
	return n
}
