package main

import (
	"context"
	"fmt"

	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/lesson"
)

// cmdProgress reads progress from what passes, never from a state file, so
// it cannot drift from the code.
func cmdProgress(ctx context.Context, e *env, args []string) int {
	if !noMoreArgs(e, "progress", args) {
		return exitUsage
	}
	all, err := lesson.List(e.root)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
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
		s := e.newStatus()
		r, err := testLesson(ctx, l, e.timeout, s)
		s.done()
		var line string
		switch {
		case ctx.Err() != nil:
			return exitFail
		case err != nil:
			line = e.red("could not run its tests: " + firstLine(err.Error()))
		case r.res.BuildFailed:
			line = e.red("does not build")
		case r.done():
			line = e.green(fmt.Sprintf("%d/%d passed", r.count(gotest.Passed), len(r.entries)))
		default:
			line = fmt.Sprintf("%d/%d passed", r.count(gotest.Passed), len(r.entries))
		}
		fmt.Fprintf(e.stdout, "%-*s  %s\n", width, l.Name, line)
		if err == nil && r.raceNote != "" {
			raceNote = r.raceNote
		}
		if next == nil && (err != nil || !r.done()) {
			next = &l
		}
	}
	fmt.Fprintln(e.stdout)
	if raceNote != "" {
		fmt.Fprintf(e.stdout, "%s\n\n", raceNote)
	}
	if next == nil {
		fmt.Fprintln(e.stdout, e.green("Every lesson passes. Well done."))
		return exitOK
	}
	fmt.Fprintf(e.stdout, "Next: lesson %d (%s): make lesson-%d\n", next.Num, next.Name, next.Num)
	return exitOK
}
