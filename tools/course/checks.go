package main

// The authors' commands: their arguments are read here, their work is
// internal/check's.

import (
	"context"
	"fmt"
	"runtime"

	"wscourse/tools/course/internal/check"
	"wscourse/tools/course/internal/term"
)

// wholeCourse makes a command that takes no arguments and runs do over
// the whole course, failing when do reports a problem.
func wholeCourse(name string, do func(context.Context, *term.Env) bool) func(context.Context, *env, []string) int {
	return func(ctx context.Context, e *env, args []string) int {
		if !noMoreArgs(e, name, args) {
			return term.ExitUsage
		}
		ctx, cancel := e.interruptible(ctx)
		defer cancel()
		if do(ctx, &e.Env) {
			return term.ExitOK
		}
		return term.ExitFail
	}
}

// cmdVerify checks the whole course, or only the lessons it is given.
func cmdVerify(ctx context.Context, e *env, args []string) int {
	var only []int
	for _, a := range args {
		n, ok := lessonNumber(a)
		if !ok {
			fmt.Fprintf(e.Stderr, "verify: %q is not a lesson number (try verify 3)\n", a)
			return term.ExitUsage
		}
		only = append(only, n)
	}
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	if check.Verify(ctx, &e.Env, only) {
		return term.ExitOK
	}
	return term.ExitFail
}

// cmdSweep reads the sweep's flags; the sweep is check.Sweep.
func cmdSweep(ctx context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "sweep", args)
	if !ok {
		return term.ExitUsage
	}
	fs := e.flagSet("sweep")
	workers := fs.Int("j", runtime.NumCPU(), "mutants run at once")
	only := fs.String("file", "", "sweep this solution file only (a name such as hub.go)")
	verbose := fs.Bool("v", false, "show why each mutant was killed or did not build")
	list := fs.Bool("n", false, "list the mutants and run nothing")
	if err := fs.Parse(rest); err != nil || !noMoreArgs(e, "sweep", fs.Args()) {
		return term.ExitUsage
	}
	if *workers < 1 {
		fmt.Fprintf(e.Stderr, "sweep: -j %d: at least one run at a time\n", *workers)
		return term.ExitUsage
	}
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	return check.Sweep(ctx, &e.Env, l, check.SweepOptions{Workers: *workers, Only: *only, Verbose: *verbose, List: *list})
}
