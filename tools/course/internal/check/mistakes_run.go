package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"wscourse/tools/course/internal/report"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/lesson"
	"wscourse/tools/internal/mistakes"
)

// trial is a mistake ready to run: the file it names, with its edits made.
type trial struct {
	mistake mistakes.Mistake
	edited  string
}

// pace is how the solution's own run went: how long the tests ran, build
// left out. A mistake's whole run is bounded by it (testTimeout), so that
// one that slows the tests before the failing one is stopped too.
type pace struct {
	ran time.Duration
}

func paceOf(res *gotest.Result) pace { return pace{ran: res.Ran} }

// outcome is what the lesson's tests said about one mistake.
type outcome struct {
	trial
	// took is how long the test binary ran until the first failure ended,
	// from go test's event times. Builds are left out: on a loaded machine
	// they take many times their usual time.
	took time.Duration
	// late is how long the failed test ran until it failed, from its own
	// start and end events: what a limit bounds. The build and the tests
	// before it, which a busy machine slows most (and two mistakes run at
	// once slow more than the solution's run alone), are not in it.
	late  time.Duration
	whole time.Duration // the whole run, builds included
	first string        // the first test to fail, in lesson order
	fail  string        // how the report differs from mistakes.md; empty when it does not
	shown []string      // what the student would read, when the author needs to see it
}

// mistakeWorkers is how many mistakes run at once. Lesson tests mostly wait
// on timers and sockets, but the build before them takes a core, and tests
// starved of CPU miss their deadlines: one run per core.
func mistakeWorkers(n int) int {
	return max(1, min(n, runtime.NumCPU()))
}

func atOnce(workers int) string {
	if workers == 1 {
		return "one run at a time"
	}
	return fmt.Sprintf("%d runs at a time", workers)
}

// testTimeout is go test's -timeout for a mistake's run, which bounds the
// test binary's time as the limit does: the solution's run, and a bit over
// the limit, so that a mistake that hangs costs seconds, and one just over
// the limit is still measured.
func testTimeout(limit, ran time.Duration) time.Duration {
	return ran + limit + max(limit/2, 2*time.Second)
}

// stopAfter stops a mistake's whole run, builds included, whatever go test
// does. It is there to end hangs, not to time the run: ten times the limit,
// and at least a minute more than the -timeout, so that builds on a busy
// machine fit (they took 40s and more beside other jobs), and so do the
// reruns of the tests a timeout kept from running.
func stopAfter(limit, ran time.Duration) time.Duration {
	return max(10*limit, testTimeout(limit, ran)+time.Minute)
}

// runTrials runs every trial, workers at a time, and returns the outcomes
// in the trials' order.
func runTrials(ctx context.Context, l lesson.Lesson, trials []trial, workers int, solution pace, ran func(n int)) []outcome {
	out := make([]outcome, len(trials))
	var mu sync.Mutex
	n := 0
	eachAtOnce(ctx, len(trials), workers, func(i int) {
		out[i] = runTrial(ctx, l, trials[i], solution)
		mu.Lock()
		n++
		ran(n)
		mu.Unlock()
	})
	return out
}

// eachAtOnce calls do for 0 to n-1, workers calls at a time, starting no
// more once ctx has ended, and returns when every call has returned.
func eachAtOnce(ctx context.Context, n, workers int, do func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				do(i)
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}

// runTrial makes the mistake in a copy of the lesson with its solution and
// runs the tests as `make lesson-N` does, until the first failure.
func runTrial(ctx context.Context, l lesson.Lesson, tr trial, solution pace) outcome {
	o := outcome{trial: tr}
	tmp, err := os.MkdirTemp("", "course-mistake-")
	if err != nil {
		o.fail = err.Error()
		return o
	}
	defer os.RemoveAll(tmp)
	// The copy is tmp/lessons/NAME and the report is printed from tmp, so it
	// names files as a student sees them from the course root.
	staged := l
	staged.Root, staged.Dir = tmp, filepath.Join(tmp, "lessons", l.Name)
	if err := l.StageSolution(staged.Dir); err != nil {
		o.fail = err.Error()
		return o
	}
	if err := os.WriteFile(filepath.Join(staged.Dir, tr.mistake.File), []byte(tr.edited), 0o644); err != nil {
		o.fail = err.Error()
		return o
	}
	runCtx, cancel := context.WithTimeout(ctx, stopAfter(tr.mistake.Limit, solution.ran))
	defer cancel()
	start := time.Now()
	r, err := report.UntilFailure(runCtx, staged, testTimeout(tr.mistake.Limit, solution.ran))
	o.whole = time.Since(start)
	if ctx.Err() != nil {
		return o // verify was interrupted; nothing to judge
	}
	o.judge(&term.Env{Cwd: tmp}, r, err)
	return o
}

// judge compares the report with what mistakes.md says it must be.
func (o *outcome) judge(e *term.Env, r *report.Report, err error) {
	m := o.mistake
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		o.fail = fmt.Sprintf("the whole run took over %s and was stopped (the limit: %s after the solution's tests)", seconds(o.whole), m.Limit)
		return
	case err != nil:
		o.fail, o.shown = "go test did not run", firstLines(term.SplitLines(err.Error()))
		return
	case r.Result.BuildFailed:
		// A mistake is one a student could run; one that does not build
		// checks no test's message.
		o.fail = "does not build"
		if r.Result.VetFailed {
			o.fail = "does not pass go vet"
		}
		o.shown = firstLines(e.BuildErrors(r.Lesson.Dir, r.Result.BuildOutput))
		return
	}
	f := r.FirstFailure()
	if f == nil {
		o.fail = "passed every test"
		if r.Result.Failed {
			o.fail, o.shown = "the run failed, yet no test did", firstLines(r.Result.PackageOutput)
		}
		return
	}
	o.first = f.Name
	o.took, o.late = f.Test.Ended, f.Test.Ended-f.Test.Started
	if r.Result.Ran == 0 {
		o.took, o.late = o.whole, o.whole // a stream without times: the whole run is all there is
	}
	message := r.FailureText(e, f)
	var fails []string
	if f.Name != m.Test {
		fails = append(fails, fmt.Sprintf("reported first under %s, want %s", f.Name, m.Test))
	} else if lack := lacking(message, m.Says); len(lack) > 0 {
		fails = append(fails, "the message lacks "+quoteAll(lack))
	}
	if len(fails) > 0 {
		o.shown = message
	}
	if o.late > m.Limit {
		fails = append(fails, fmt.Sprintf("%s took %s to fail, limit %s (%s)", f.Name, seconds(o.late), m.Limit, o.times()))
	}
	o.fail = strings.Join(fails, "; ")
}

// lacking returns the phrases that the text does not contain, ignoring
// case and how white space is broken into lines.
func lacking(text []string, phrases []string) []string {
	flat := strings.ToLower(strings.Join(strings.Fields(strings.Join(text, " ")), " "))
	var out []string
	for _, p := range phrases {
		if !strings.Contains(flat, strings.ToLower(strings.Join(strings.Fields(p), " "))) {
			out = append(out, p)
		}
	}
	return out
}

// lines are the outcome as verify lists it under the lesson, the way the
// report lists tests.
func (o *outcome) lines() []string {
	if o.fail == "" {
		return []string{fmt.Sprintf("ok   %s: %s, %s (%s)", o.mistake.Title, o.first, seconds(o.late), o.times())}
	}
	out := []string{fmt.Sprintf("FAIL %s: %s", o.mistake.Title, o.fail)}
	for _, line := range o.shown {
		out = append(out, "     "+line)
	}
	return out
}

// times are when the run failed, build left out, and how long it took.
func (o *outcome) times() string {
	return fmt.Sprintf("failed at %s; whole run %s", seconds(o.took), seconds(o.whole))
}

// firstLines are enough of go's output to tell what went wrong.
func firstLines(lines []string) []string {
	return lines[:min(len(lines), 5)]
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1fs", d.Seconds())
}
