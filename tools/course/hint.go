package main

import (
	"context"
	"fmt"
	"path/filepath"

	"wscourse/tools/internal/hints"
)

func cmdHint(_ context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "hint", args)
	if !ok || !noMoreArgs(e, "hint", rest) {
		return exitUsage
	}
	hs, err := hints.Load(l.Dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "lesson %d has no hints: %v\n", l.Num, err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "Hints for lesson %d (%s), in the order the tests run (from %s):\n", l.Num, l.Name,
		e.rel(filepath.Join(l.Dir, hints.FileName)))
	for i, h := range hs {
		fmt.Fprintf(e.stdout, "\n%s\n\n%s\n", e.bold(fmt.Sprintf("%d. %s", i+1, h.Test)), indent(h.Text, "    "))
	}
	return exitOK
}
