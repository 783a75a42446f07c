package main

import (
	"context"
	"fmt"

	"wscourse/tools/course/internal/report"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/lesson"
)

// cmdProgress reads progress from what passes, never from a state file, so
// it cannot drift from the code.
func cmdProgress(ctx context.Context, e *env, args []string) int {
	if !noMoreArgs(e, "progress", args) {
		return term.ExitUsage
	}
	all, err := lesson.List(e.Root)
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return term.ExitUsage
	}
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	width := 0
	for _, l := range all {
		width = max(width, len(l.Name))
	}
	var next *lesson.Lesson
	raceNote := ""
	for _, l := range all {
		// The status line on stderr says what a first, slow run is doing;
		// the whole line comes after it, as a live status would erase half.
		s := e.NewStatus()
		r, err := report.Run(ctx, l, e.timeout, s)
		s.Done()
		var line string
		switch {
		case ctx.Err() != nil:
			return term.ExitFail
		case err != nil:
			line = e.Red("could not run its tests: " + term.FirstLine(err.Error()))
		case r.Result.BuildFailed:
			line = e.Red("does not build")
		case r.Done():
			line = e.Green(fmt.Sprintf("%d/%d passed", r.Count(gotest.Passed), len(r.Entries)))
		default:
			line = fmt.Sprintf("%d/%d passed", r.Count(gotest.Passed), len(r.Entries))
		}
		fmt.Fprintf(e.Stdout, "%-*s  %s\n", width, l.Name, line)
		if err == nil && r.RaceNote != "" {
			raceNote = r.RaceNote
		}
		if next == nil && (err != nil || !r.Done()) {
			next = &l
		}
	}
	fmt.Fprintln(e.Stdout)
	if raceNote != "" {
		fmt.Fprintf(e.Stdout, "%s\n\n", raceNote)
	}
	if next == nil {
		fmt.Fprintln(e.Stdout, e.Green("Every lesson passes. Well done."))
		return term.ExitOK
	}
	fmt.Fprintf(e.Stdout, "Next: lesson %d (%s): make lesson-%d\n", next.Num, next.Name, next.Num)
	return term.ExitOK
}
