package check

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/lesson"
)

// fate is what became of one mutant.
type fate int

const (
	fateKilled   fate = iota // a test failed
	fateTimeout              // the tests ran past the budget: a hang
	fateSurvived             // every test passed
	fateNoBuild              // the mutant does not compile
	fateError                // go test could not run it
)

// mutantRun is the result of one run of the lesson's tests.
type mutantRun struct {
	fate    fate
	test    string        // the test that failed first; for a timeout, those still running
	took    time.Duration // the whole run, build included
	tests   time.Duration // from the test binary's start to its end
	details []string      // the failed test's first lines, compiler errors, go's error
	build   []string      // the compiler's output, when the mutant does not build
}

// sweepRun runs the tests of a lesson staged with its solution and one
// file replaced, as `make lesson-N` runs them (-race when it can), without
// go vet's checks: a mutant is judged by the tests alone. The run stops at
// the first failing test, and when the tests run past budget.
type sweepRun struct {
	lesson lesson.Lesson
	race   bool
	budget time.Duration // for the tests, from the test binary's start; zero: no limit but go test's own
}

// run stages the lesson with file (a solution file's name) holding content,
// or the solution unchanged when file is empty, and runs its tests.
func (s sweepRun) run(ctx context.Context, file string, content []byte) mutantRun {
	start := time.Now()
	r := s.runStaged(ctx, file, content)
	r.took = time.Since(start)
	return r
}

func (s sweepRun) runStaged(ctx context.Context, file string, content []byte) mutantRun {
	tmp, err := os.MkdirTemp("", "course-sweep-")
	if err != nil {
		return mutantRun{fate: fateError, details: []string{err.Error()}}
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "lessons", s.lesson.Name)
	if err := s.lesson.StageSolution(dir); err != nil {
		return mutantRun{fate: fateError, details: []string{err.Error()}}
	}
	if file != "" {
		if err := os.WriteFile(filepath.Join(dir, file), content, 0o644); err != nil {
			return mutantRun{fate: fateError, details: []string{err.Error()}}
		}
	}
	return s.goTest(ctx, dir)
}

// testEvent is the part of a `go test -json` event the sweep reads as it
// comes; the whole stream goes to gotest.Parse at the end.
type testEvent struct {
	Time   time.Time
	Action string
	Test   string
}

func (s sweepRun) goTest(ctx context.Context, dir string) mutantRun {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// go test's own -timeout is a backstop: the budget stops a hang first.
	timeout := gotest.DefaultTimeout
	if s.budget > 0 {
		timeout = s.budget + 30*time.Second
	}
	args := []string{"test", "-json", "-vet=off", "-count=1", "-timeout=" + timeout.String()}
	if s.race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./...")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	gotest.StopTree(cmd)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return mutantRun{fate: fateError, details: []string{err.Error()}}
	}
	if err := cmd.Start(); err != nil {
		return mutantRun{fate: fateError, details: []string{err.Error()}}
	}

	var (
		stream   bytes.Buffer
		first    string // the first test to fail
		began    time.Time
		ended    time.Time
		failedAt time.Time
		mu       sync.Mutex
		timedOut bool
		running  = map[string]bool{}
		timer    *time.Timer
	)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		stream.Write(line)
		stream.WriteByte('\n')
		var ev testEvent
		if json.Unmarshal(line, &ev) != nil {
			continue
		}
		if !ev.Time.IsZero() {
			ended = ev.Time
		}
		top, _, sub := strings.Cut(ev.Test, "/")
		switch {
		case ev.Action == "start" && began.IsZero():
			began = ev.Time
			if s.budget > 0 {
				timer = time.AfterFunc(s.budget, func() {
					mu.Lock()
					timedOut = true
					mu.Unlock()
					cancel()
				})
			}
		case ev.Test == "" || sub:
		case ev.Action == "run":
			running[top] = true
		case ev.Action == "fail" && first == "":
			first, failedAt = top, ev.Time
			cancel() // killed: the other tests need not run
		case ev.Action == "pass" || ev.Action == "skip" || ev.Action == "fail":
			delete(running, top)
		}
	}
	waitErr := cmd.Wait()
	if timer != nil {
		timer.Stop()
	}
	r := mutantRun{}
	if !began.IsZero() && !ended.IsZero() {
		r.tests = ended.Sub(began)
	}
	mu.Lock()
	stopped := timedOut
	mu.Unlock()
	res, _ := gotest.Parse(&stream)
	switch {
	case first != "":
		r.fate, r.test = fateKilled, first
		r.tests = 0
		if !began.IsZero() && !failedAt.IsZero() {
			r.tests = failedAt.Sub(began)
		}
		if res != nil {
			if t := res.Test(first); t != nil {
				r.details = firstLines(term.TrimBlank(t.Output))
			}
		}
	case stopped:
		r.fate, r.tests = fateTimeout, s.budget
		var names []string
		for n := range running {
			names = append(names, n)
		}
		sort.Strings(names)
		r.test = strings.Join(names, ", ")
	case ctx.Err() != nil:
		r.fate, r.details = fateError, []string{"interrupted"}
	case res == nil:
		r.fate, r.details = fateError, firstLines(term.SplitLines(stderr.String()))
	case res.BuildFailed:
		r.fate, r.build = fateNoBuild, res.BuildOutput
		r.details = firstLines(append(res.BuildOutput, setupLines(stderr.String())...))
	case res.Failed:
		// The package failed with no test failing: a crash outside any
		// test (init, TestMain), which kills the mutant all the same.
		r.fate, r.test = fateKilled, "the test binary"
		r.details = firstLines(res.PackageOutput)
	case waitErr != nil && !errors.Is(waitErr, context.Canceled):
		r.fate = fateError
		r.details = firstLines(append([]string{waitErr.Error()}, term.SplitLines(stderr.String())...))
	case len(res.Tests) == 0:
		r.fate, r.details = fateError, []string{"no test ran"}
	default:
		r.fate = fateSurvived
	}
	return r
}

// setupLines are go's lines on stderr, without its download notes.
func setupLines(stderr string) []string {
	var out []string
	for _, line := range term.SplitLines(stderr) {
		if line != "" && !strings.HasPrefix(line, "go: downloading ") {
			out = append(out, line)
		}
	}
	return out
}

// summary is how a run's fate reads in its progress line: the tests' time,
// from the test binary's start (the build left out, which on a busy machine
// takes most of a run), and the whole run's.
func (r mutantRun) summary() string {
	switch r.fate {
	case fateKilled:
		return fmt.Sprintf("killed by %s after %s of tests (whole run %s)", r.test, seconds(r.tests), seconds(r.took))
	case fateTimeout:
		if r.test == "" {
			return fmt.Sprintf("killed by timeout: the tests ran past %s", r.tests.Round(time.Second))
		}
		return fmt.Sprintf("killed by timeout: %s still running after %s of tests", r.test, r.tests.Round(time.Second))
	case fateSurvived:
		return fmt.Sprintf("survived: every test passed in %s (whole run %s)", seconds(r.tests), seconds(r.took))
	case fateNoBuild:
		return fmt.Sprintf("does not build (%s)", seconds(r.took))
	}
	return "could not run: " + strings.Join(r.details, "; ")
}
