package main

import (
	"context"
	"errors"
	"fmt"

	"wscourse/tools/course/internal/report"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/lesson"
)

func cmdLesson(ctx context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "lesson", args)
	if !ok || !noMoreArgs(e, "lesson", rest) {
		return term.ExitUsage
	}
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	return lessonOnce(ctx, e, l)
}

// lessonOnce tests the lesson and prints the report; lesson and watch share it.
func lessonOnce(ctx context.Context, e *env, l lesson.Lesson) int {
	// A first run downloads modules and builds the race detector's
	// runtime, which takes up to a minute: say what is going on, on stderr,
	// and erase it before the report.
	s := e.NewStatus()
	r, err := report.Run(ctx, l, e.timeout, s)
	s.Done()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return term.ExitFail
		}
		fmt.Fprintf(e.Stdout, "lesson %d: could not run the tests.\n\n%s\n", l.Num, term.Indent(err.Error(), "    "))
		return term.ExitFail
	}
	r.Print(&e.Env, e.watching)
	if r.Done() {
		return term.ExitOK
	}
	return term.ExitFail
}
