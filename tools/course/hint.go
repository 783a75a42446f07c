package main

import (
	"context"
	"fmt"
	"path/filepath"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/hints"
)

func cmdHint(_ context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "hint", args)
	if !ok || !noMoreArgs(e, "hint", rest) {
		return term.ExitUsage
	}
	hs, err := hints.Load(l.Dir)
	if err != nil {
		fmt.Fprintf(e.Stderr, "lesson %d has no hints: %v\n", l.Num, err)
		return term.ExitFail
	}
	fmt.Fprintf(e.Stdout, "Hints for lesson %d (%s), in the order the tests run (from %s):\n", l.Num, l.Name,
		e.Rel(filepath.Join(l.Dir, hints.FileName)))
	for i, h := range hs {
		fmt.Fprintf(e.Stdout, "\n%s\n\n%s\n", e.Bold(fmt.Sprintf("%d. %s", i+1, h.Test)), term.Indent(h.Text, "    "))
	}
	return term.ExitOK
}
