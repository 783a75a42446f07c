package main

import (
	"context"
	"fmt"
	"path/filepath"

	"wscourse/tools/internal/hints"
	"wscourse/tools/internal/lesson"
)

func cmdHint(_ context.Context, e *env, args []string) int {
	n, rest, ok := lessonNumber(e, "hint", args)
	if !ok || !noMoreArgs(e, "hint", rest) {
		return exitUsage
	}
	l, err := lesson.Find(e.root, n)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	hs, err := hints.Load(l.Dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "lesson %d has no hints: %v\n", n, err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "Hints for lesson %d (%s), in the order the tests run (from %s):\n", n, l.Name,
		e.rel(filepath.Join(l.Dir, hints.FileName)))
	for i, h := range hs {
		fmt.Fprintf(e.stdout, "\n%s\n\n%s\n", e.bold(fmt.Sprintf("%d. %s", i+1, h.Test)), indent(h.Text, "    "))
	}
	return exitOK
}
