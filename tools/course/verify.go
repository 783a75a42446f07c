package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/lesson"
)

// verdict is what verify found in one lesson.
type verdict struct {
	lesson   lesson.Lesson
	held     []string // what is right, said briefly
	problems []string // what is wrong, one phrase each
	details  []string // compiler errors and failure messages behind the problems
}

func (v *verdict) ok() bool { return len(v.problems) == 0 }

// verifyAll checks every lesson, prints a line each and a summary, and
// reports whether all held.
func verifyAll(ctx context.Context, e *env) bool {
	all, err := lesson.List(e.root)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return false
	}
	if len(all) == 0 {
		fmt.Fprintln(e.stdout, "verify: there are no lessons under lessons/")
		return false
	}
	width := 0
	for _, l := range all {
		width = max(width, len(l.Name))
	}
	passed := 0
	for _, l := range all {
		v := verifyLesson(ctx, l)
		if ctx.Err() != nil {
			return false
		}
		if v.ok() {
			passed++
			fmt.Fprintf(e.stdout, "%s %-*s  %s\n", e.green("ok  "), width, l.Name, strings.Join(v.held, "; "))
			continue
		}
		line := strings.Join(v.problems, "; ")
		if len(v.held) > 0 {
			line += e.dim(" (held: " + strings.Join(v.held, "; ") + ")")
		}
		fmt.Fprintf(e.stdout, "%s %-*s  %s\n", e.red("FAIL"), width, l.Name, line)
		for _, d := range v.details {
			fmt.Fprintf(e.stdout, "      %s\n", d)
		}
	}
	fmt.Fprintf(e.stdout, "verify: %d passed, %d failed\n", passed, len(all)-passed)
	return passed == len(all)
}

// verifyLesson checks the content, the starter in place and the solution
// staged in a temporary folder.
func verifyLesson(ctx context.Context, l lesson.Lesson) *verdict {
	v := &verdict{lesson: l}
	if probs := contentProblems(l); len(probs) > 0 {
		v.problems = append(v.problems, probs...)
	} else {
		v.held = append(v.held, "content complete")
	}
	v.checkStarter(ctx)
	v.checkSolution(ctx)
	return v
}

// checkStarter: the starter builds, and at least one test fails on it, so a
// student has something to do and sees which tests pass.
func (v *verdict) checkStarter(ctx context.Context) {
	r, err := testLesson(ctx, v.lesson)
	switch {
	case err != nil:
		v.problems = append(v.problems, "starter: go test did not run")
		v.details = append(v.details, strings.Split(err.Error(), "\n")...)
	case r.res.BuildFailed && r.res.VetFailed:
		v.problems = append(v.problems, "starter does not pass the go vet checks of go test, so no test runs")
		v.details = append(v.details, relabel(r.res.BuildOutput, v.lesson.Dir, v.origin(false))...)
	case r.res.BuildFailed:
		v.problems = append(v.problems, "starter does not build")
		v.details = append(v.details, relabel(r.res.BuildOutput, v.lesson.Dir, v.origin(false))...)
	case r.count(gotest.Failed) == 0:
		v.problems = append(v.problems, fmt.Sprintf("starter passes every test (%d): a student has nothing to do", r.count(gotest.Passed)))
	default:
		v.held = append(v.held, fmt.Sprintf("starter fails %d of %s", r.count(gotest.Failed), plural(len(r.entries), "test")))
	}
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
		v.problems = append(v.problems, "solution: "+err.Error())
		return
	}
	res, err := gotest.Run(ctx, stage, gotest.Options{Race: true, NoCache: true})
	switch {
	case err != nil:
		v.problems = append(v.problems, "solution: go test did not run")
		v.details = append(v.details, relabel(strings.Split(err.Error(), "\n"), stage, v.origin(true))...)
		return
	case res.BuildFailed:
		v.problems = append(v.problems, "solution does not build")
		v.details = append(v.details, relabel(res.BuildOutput, stage, v.origin(true))...)
		return
	}
	var failed []string
	for _, t := range res.Tests {
		if t.Status == gotest.Failed {
			failed = append(failed, t.Name)
			v.details = append(v.details, t.Name+":")
			for _, line := range relabel(t.Output, stage, v.origin(true)) {
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
		v.held = append(v.held, fmt.Sprintf("solution passes %s with -race", plural(res.Count(gotest.Passed), "test")))
	}
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
