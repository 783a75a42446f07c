package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"wscourse/tools/internal/lesson"
)

// command is one subcommand: `course NAME ARGS`.
type command struct {
	name    string
	args    string // shown in usage after the name
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands is in the order usage lists them.
var commands []command

func init() {
	commands = []command{
		{"lesson", "N", "run lesson N's tests on your code; explain the first failure", cmdLesson},
		{"watch", "N", "the same, again on every save", cmdWatch},
		{"hint", "N", "all hints of lesson N, in order", cmdHint},
		{"run", "N [-addr HOST:PORT] [-- SERVER ARGS]", "build and run your server for lesson N", cmdRun},
		{"demo", "N [-addr HOST:PORT] [-- SERVER ARGS]", "build and run the reference solution's server", cmdDemo},
		{"trace", "N [-own] [FLAGS] [-- SERVER ARGS]", "the reference server (-own: yours) behind a proxy printing every frame; trace 1 -h: its flags", cmdTrace},
		{"bench", "[-own] [-- COMPARE FLAGS]", "lesson 05: polling, long-polling, SSE and WebSocket measured side by side (about 2 minutes)", cmdBench},
		{"progress", "", "tests passed in every lesson, and which lesson is next", cmdProgress},
		{"reset", "N [-yes] [-ref REF]", "put lesson N's starter files back from git", cmdReset},
		{"verify", "[N...]", "check every lesson (or lessons N...): content, starter fails, solution passes with -race, mistakes caught", cmdVerify},
		{"sweep", "N [-j 2] [-file F] [-v] [-n]", "authors: delete each statement of lesson N's solution in turn; list the ones no test misses", cmdSweep},
		{"lint", "", "gofmt, go vet and staticcheck on every module", wholeCourse("lint", lintAll)},
		{"test", "", "everything CI checks: lint, verify, the tools' own tests", cmdTest},
		{"help", "", "this text", cmdHelp},
	}
}

// wholeCourse makes a command that takes no arguments and runs check over
// the whole course, failing when check reports a problem.
func wholeCourse(name string, check func(context.Context, *env) bool) func(context.Context, *env, []string) int {
	return func(ctx context.Context, e *env, args []string) int {
		if !noMoreArgs(e, name, args) {
			return exitUsage
		}
		ctx, cancel := e.interruptible(ctx)
		defer cancel()
		if check(ctx, e) {
			return exitOK
		}
		return exitFail
	}
}

// cmdVerify checks the whole course, or only the lessons it is given.
func cmdVerify(ctx context.Context, e *env, args []string) int {
	var only []int
	for _, a := range args {
		n, ok := lessonNumber(a)
		if !ok {
			fmt.Fprintf(e.stderr, "verify: %q is not a lesson number (try verify 3)\n", a)
			return exitUsage
		}
		only = append(only, n)
	}
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	if verifySome(ctx, e, only) {
		return exitOK
	}
	return exitFail
}

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // a test, a check or the server failed
	exitUsage = 2 // the command line or the course is wrong
)

// run is main without the process: it picks the command and runs it.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		return cmdHelp(ctx, e, nil)
	}
	name := args[0]
	for _, c := range commands {
		if c.name != name {
			continue
		}
		if name != "help" {
			root, err := e.courseRoot()
			if err != nil {
				fmt.Fprintln(e.stderr, err)
				return exitUsage
			}
			if err := checkGo(root); err != nil {
				fmt.Fprintln(e.stderr, err)
				return exitUsage
			}
		}
		return c.run(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "unknown command %q\n\n", name)
	printUsage(e)
	return exitUsage
}

func cmdHelp(_ context.Context, e *env, _ []string) int {
	printUsage(e)
	return exitOK
}

func printUsage(e *env) {
	w := e.stdout
	fmt.Fprintln(w, "usage: go run ./tools/course COMMAND [ARGS]   (from the repository root; `make help` lists the same as make targets)")
	fmt.Fprintln(w)
	width := 0
	for _, c := range commands {
		width = max(width, len(usageLine(c)))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, usageLine(c), c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Start with: go run ./tools/course lesson 1")
}

func usageLine(c command) string {
	return strings.TrimSpace(c.name + " " + c.args)
}

// lessonArg reads the lesson from the first argument ("1", "01" or
// "01-handshake") and returns it with the arguments after it.
func lessonArg(e *env, cmd string, args []string) (lesson.Lesson, []string, bool) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(e.stderr, "%s needs a lesson number: go run ./tools/course %s 1\n", cmd, cmd)
		return lesson.Lesson{}, nil, false
	}
	n, ok := lessonNumber(args[0])
	if !ok {
		fmt.Fprintf(e.stderr, "%s: %q is not a lesson number (try %s 1)\n", cmd, args[0], cmd)
		return lesson.Lesson{}, nil, false
	}
	l, err := lesson.Find(e.root, n)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return lesson.Lesson{}, nil, false
	}
	return l, args[1:], true
}

// lessonNumber reads a lesson argument: "1", "01" or "01-handshake".
func lessonNumber(arg string) (int, bool) {
	digits, _, _ := strings.Cut(arg, "-")
	n, err := strconv.Atoi(digits)
	return n, err == nil && n >= 0
}

func noMoreArgs(e *env, cmd string, rest []string) bool {
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "%s: unexpected arguments %q\n", cmd, rest)
		return false
	}
	return true
}
