// Package check holds the authors' checks of the course, which students
// never need: verify (each lesson's content, starter, solution and mistakes
// suite, and the files lessons share), lint, the sweep of a solution's
// statements, and All, everything CI runs. Each prints a line per check
// and a summary to the term.Env it is given.
package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/course/internal/git"
	"wscourse/tools/course/internal/report"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/english"
	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/lesson"
)

// verdict is what verify found in one lesson.
type verdict struct {
	lesson   lesson.Lesson
	held     []string // what is right, said briefly
	problems []string // what is wrong, one phrase each
	details  []string // compiler errors and failure messages behind the problems
	// solutionFailed: the solution does not build or pass, so the mistakes,
	// edits of it, are not run.
	solutionFailed bool
	solution       pace         // how the solution's run went, which mistakes are timed against
	status         *term.Status // what verify is doing, while it does it; nil: nothing shown
}

func (v *verdict) ok() bool { return len(v.problems) == 0 }

// Verify checks the lessons numbered in only, or every lesson when only is
// empty (an author checks the lesson at hand without waiting for the
// others' mistakes suites), prints a line each and a summary, and reports
// whether all held.
func Verify(ctx context.Context, e *term.Env, only []int) bool {
	all, err := lesson.List(e.Root)
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return false
	}
	if len(only) > 0 {
		all = slices.DeleteFunc(all, func(l lesson.Lesson) bool { return !slices.Contains(only, l.Num) })
	}
	if len(all) == 0 {
		fmt.Fprintln(e.Stdout, "verify: there are no lessons under lessons/")
		return false
	}
	width := 0
	for _, l := range all {
		width = max(width, len(l.Name))
	}
	sharedOK := printShared(e, all)
	passed := 0
	for _, l := range all {
		s := e.NewStatus()
		s.Prefix = "verify: "
		v := verifyLesson(ctx, l, s)
		s.Done()
		if ctx.Err() != nil {
			return false
		}
		if v.ok() {
			passed++
			fmt.Fprintf(e.Stdout, "%s %-*s  %s\n", e.Green("ok  "), width, l.Name, strings.Join(v.held, "; "))
			for _, d := range v.details { // the mistakes caught, one line each
				fmt.Fprintf(e.Stdout, "      %s\n", d)
			}
			continue
		}
		line := strings.Join(v.problems, "; ")
		if len(v.held) > 0 {
			line += e.Dim(" (held: " + strings.Join(v.held, "; ") + ")")
		}
		fmt.Fprintf(e.Stdout, "%s %-*s  %s\n", e.Red("FAIL"), width, l.Name, line)
		for _, d := range v.details {
			fmt.Fprintf(e.Stdout, "      %s\n", d)
		}
	}
	if note := report.RaceOff(ctx); note != "" {
		fmt.Fprintln(e.Stdout, note)
	}
	summary := fmt.Sprintf("verify: %d passed, %d failed", passed, len(all)-passed)
	if !sharedOK {
		summary += "; shared files differ"
	}
	fmt.Fprintln(e.Stdout, summary)
	return passed == len(all) && sharedOK
}

// printShared prints the line of the shared files' check and reports
// whether it held.
func printShared(e *term.Env, all []lesson.Lesson) bool {
	c, err := checkShared(all)
	switch {
	case err != nil:
		fmt.Fprintf(e.Stdout, "%s shared files: %v\n", e.Red("FAIL"), err)
		return false
	case len(c.problems) > 0:
		fmt.Fprintf(e.Stdout, "%s shared files: %s\n", e.Red("FAIL"), strings.Join(c.problems, "; "))
		for _, d := range c.details {
			fmt.Fprintf(e.Stdout, "      %s\n", d)
		}
		return false
	}
	fmt.Fprintf(e.Stdout, "%s shared files: %s\n", e.Green("ok  "), c.held)
	return true
}

// verifyLesson checks the content, the starter in place and the solution
// staged in a temporary folder.
func verifyLesson(ctx context.Context, l lesson.Lesson, s *term.Status) *verdict {
	v := &verdict{lesson: l, status: s}
	if probs := contentProblems(l); len(probs) > 0 {
		v.problems = append(v.problems, probs...)
	} else {
		v.held = append(v.held, "content complete")
	}
	v.checkStarter(ctx)
	v.checkSolution(ctx)
	v.checkMistakes(ctx)
	return v
}

// checkStarter: the starter builds, and at least one test fails on it, so a
// student has something to do and sees which tests pass.
func (v *verdict) checkStarter(ctx context.Context) {
	r, err := report.Run(ctx, v.lesson, 0, v.status)
	switch {
	case err != nil:
		v.problems = append(v.problems, "starter: go test did not run")
		v.details = append(v.details, strings.Split(err.Error(), "\n")...)
	case r.Result.BuildFailed && r.Result.VetFailed:
		v.problems = append(v.problems, "starter does not pass the go vet checks of go test, so no test runs")
		v.details = append(v.details, term.Relabel(r.Result.BuildOutput, v.lesson.Dir, v.origin(false))...)
	case r.Result.BuildFailed:
		v.problems = append(v.problems, "starter does not build")
		v.details = append(v.details, term.Relabel(r.Result.BuildOutput, v.lesson.Dir, v.origin(false))...)
	case r.Count(gotest.Failed) == 0:
		v.problems = append(v.problems, v.startersPass(ctx, r.Count(gotest.Passed)))
	default:
		v.held = append(v.held, fmt.Sprintf("starter fails %d of %s", r.Count(gotest.Failed), english.Count(len(r.Entries), "test")))
	}
}

// startersPass says what a starter that passes every test means: a lesson
// with nothing to do, or, when its files are not the committed ones, most
// likely the user's own finished lesson.
func (v *verdict) startersPass(ctx context.Context, passed int) string {
	const own = "`make verify` and `make test` check the course itself, for its authors and CI, " +
		"and need the untouched starters: run them in a fresh clone (your own progress: `make progress`)"
	changed, err := git.ChangedStarters(ctx, v.lesson)
	switch {
	case err != nil:
		files, _ := v.lesson.StarterFiles()
		return fmt.Sprintf("starter passes every test (%d), and git cannot tell whether its files (%s) are the committed ones (%v): "+
			"if they are, a student has nothing to do; if they are your own work, %s", passed, strings.Join(files, ", "), err, own)
	case len(changed) > 0:
		return fmt.Sprintf("the starter files (%s) differ from the committed ones and pass every test: "+
			"this looks like a finished lesson, not a starter. %s", strings.Join(changed, ", "), own)
	}
	return fmt.Sprintf("starter passes every test (%d): a student has nothing to do", passed)
}

// checkSolution: the lesson with the solution laid over it passes every test
// with the race detector, outside the workspace.
func (v *verdict) checkSolution(ctx context.Context) {
	tmp, err := os.MkdirTemp("", "course-verify-")
	if err != nil {
		v.problems = append(v.problems, err.Error())
		return
	}
	defer os.RemoveAll(tmp)
	stage := filepath.Join(tmp, v.lesson.Name)
	if err := v.lesson.StageSolution(stage); err != nil {
		v.solutionFailed = true
		v.problems = append(v.problems, "solution: "+err.Error())
		return
	}
	notify := v.status.GoTest(fmt.Sprintf("lesson %d's solution", v.lesson.Num), true)
	res, err := gotest.Run(ctx, stage, gotest.Options{Race: true, NoCache: true, Notify: notify})
	switch {
	case err != nil:
		v.solutionFailed = true
		v.problems = append(v.problems, "solution: go test did not run")
		v.details = append(v.details, term.Relabel(strings.Split(err.Error(), "\n"), stage, v.origin(true))...)
		return
	case res.BuildFailed:
		v.solutionFailed = true
		v.problems = append(v.problems, "solution does not build")
		v.details = append(v.details, term.Relabel(res.BuildOutput, stage, v.origin(true))...)
		return
	}
	var failed []string
	for _, t := range res.Tests {
		if t.Status == gotest.Failed {
			failed = append(failed, t.Name)
			v.details = append(v.details, t.Name+":")
			for _, line := range term.Relabel(t.Output, stage, v.origin(true)) {
				v.details = append(v.details, "  "+line)
			}
		}
	}
	switch {
	case len(failed) > 0:
		v.problems = append(v.problems, "solution fails "+strings.Join(failed, ", ")+" (with -race)")
	case res.Failed:
		v.problems = append(v.problems, "solution: the test run failed")
		v.details = append(v.details, res.PackageOutput...)
	case len(res.Tests) == 0:
		v.problems = append(v.problems, "solution ran no tests")
	default:
		v.held = append(v.held, fmt.Sprintf("solution passes %s with -race", english.Count(res.Count(gotest.Passed), "test")))
		v.solution = paceOf(res)
		return
	}
	v.solutionFailed = true
}

// origin names a file of the (staged) lesson after where it comes from: the
// solution folder for the files it replaces, the lesson folder otherwise.
func (v *verdict) origin(staged bool) func(string) string {
	files, _ := v.lesson.StarterFiles()
	return func(f string) string {
		if staged && slices.Contains(files, f) {
			return "solutions/" + v.lesson.Name + "/" + f
		}
		return "lessons/" + v.lesson.Name + "/" + f
	}
}
