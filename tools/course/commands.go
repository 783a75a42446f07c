package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"wscourse/tools/course/internal/check"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/lesson"
)

// command is one subcommand: `course NAME ARGS`.
type command struct {
	name    string
	args    string // shown in usage after the name
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands is in the order usage lists them. Each command reads its
// arguments here, in package main; the comment names where its work is done.
var commands []command

func init() {
	commands = []command{
		// A student's commands.
		{"lesson", "N", "run lesson N's tests on your code; explain the first failure", cmdLesson},                                                                                            // lesson.go: report.Run, Report.Print
		{"watch", "N", "the same, again on every save", cmdWatch},                                                                                                                             // watch.go, then as lesson
		{"hint", "N", "all hints of lesson N, in order", cmdHint},                                                                                                                             // hint.go: tools/internal/hints
		{"run", "N [-addr HOST:PORT] [-- SERVER ARGS]", "build and run your server for lesson N", cmdRun},                                                                                     // serve.go (cluster.go for lesson 6)
		{"demo", "N [-addr HOST:PORT] [-- SERVER ARGS]", "build and run the reference solution's server", cmdDemo},                                                                            // serve.go (cluster.go for lesson 6)
		{"trace", "N [-own] [FLAGS] [-- SERVER ARGS]", "the reference server (-own: yours) behind a proxy printing every frame; trace 1 -h: its flags", cmdTrace},                             // trace.go: tools/internal/proxy
		{"bench", "[-own] [-- COMPARE FLAGS]", "lesson 05: polling, long-polling, SSE and WebSocket measured side by side (about 2 minutes)", cmdBench},                                       // bench.go: lesson 05's cmd/compare
		{"conformance", "N [-ref] | -url URL [-only IDS]", "lessons 1 and 2 (or any echo server) held to RFC 6455: about 250 cases, a report with the bytes of each failure", cmdConformance}, // conformance.go: tools/internal/conformance
		{"progress", "", "tests passed in every lesson, and which lesson is next", cmdProgress},                                                                                               // progress.go: report.Run
		{"reset", "N [-yes] [-ref REF]", "put lesson N's starter files back from git", cmdReset},                                                                                              // reset.go: internal/git
		// The authors' checks, in internal/check; checks.go reads their arguments.
		{"verify", "[N...]", "check every lesson (or lessons N...): content, starter fails, solution passes with -race, mistakes caught", cmdVerify},       // check.Verify
		{"sweep", "N [-j 2] [-file F] [-v] [-n]", "authors: delete each statement of lesson N's solution in turn; list the ones no test misses", cmdSweep}, // check.Sweep
		{"lint", "", "gofmt, go vet and staticcheck on every module", wholeCourse("lint", check.Lint)},
		{"test", "", "everything CI checks: lint, verify, the tools' own tests", wholeCourse("test", check.All)},
		{"help", "", "this text", cmdHelp},
	}
}

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
				fmt.Fprintln(e.Stderr, err)
				return term.ExitUsage
			}
			if err := checkGo(root); err != nil {
				fmt.Fprintln(e.Stderr, err)
				return term.ExitUsage
			}
		}
		return c.run(ctx, e, args[1:])
	}
	fmt.Fprintf(e.Stderr, "unknown command %q\n\n", name)
	printUsage(e)
	return term.ExitUsage
}

func cmdHelp(_ context.Context, e *env, _ []string) int {
	printUsage(e)
	return term.ExitOK
}

func printUsage(e *env) {
	w := e.Stdout
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
		fmt.Fprintf(e.Stderr, "%s needs a lesson number: go run ./tools/course %s 1\n", cmd, cmd)
		return lesson.Lesson{}, nil, false
	}
	n, ok := lessonNumber(args[0])
	if !ok {
		fmt.Fprintf(e.Stderr, "%s: %q is not a lesson number (try %s 1)\n", cmd, args[0], cmd)
		return lesson.Lesson{}, nil, false
	}
	l, err := lesson.Find(e.Root, n)
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
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

// flagSet is the flag set of command cmd: a mistake in its flags is said on
// stderr and ends the command, not the process.
func (e *env) flagSet(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	return fs
}

func noMoreArgs(e *env, cmd string, rest []string) bool {
	if len(rest) > 0 {
		fmt.Fprintf(e.Stderr, "%s: unexpected arguments %q\n", cmd, rest)
		return false
	}
	return true
}
