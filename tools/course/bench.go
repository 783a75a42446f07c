package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"wscourse/tools/internal/lesson"
)

// benchLesson is the lesson whose comparison `make bench` runs.
const benchLesson = 5

// cmdBench runs lesson 05's comparison of polling, long-polling, SSE and
// WebSocket (its cmd/compare) against the reference solution, or with -own
// against the student's code, and leaves the table and the chart in the
// lesson's results folder. Arguments after -- go to cmd/compare.
func cmdBench(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	own := fs.Bool("own", false, "measure your own server instead of the reference solution")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	l, err := lesson.Find(e.root, benchLesson)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	tmp, err := os.MkdirTemp("", "course-bench-")
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitFail
	}
	defer os.RemoveAll(tmp)
	bin, out, err := lesson.BuildPackage(ctx, l.Dir, "./cmd/compare", filepath.Join(tmp, "compare"))
	if err != nil {
		fmt.Fprintf(e.stderr, "bench: building %s/cmd/compare: %v\n%s", e.rel(l.Dir), err, out)
		return exitFail
	}
	compareArgs := []string{"-out", "results"}
	if !*own {
		compareArgs = append(compareArgs, "-with", l.SolutionDir)
	}
	cmd := exec.Command(bin, append(compareArgs, fs.Args()...)...)
	cmd.Dir = l.Dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	cmd.Stdout, cmd.Stderr = e.stdout, e.stderr
	ownGroup(cmd) // Ctrl-C reaches it once, through runForwarding
	if code := runForwarding(e, cmd); code != exitOK {
		return code
	}
	fmt.Fprintf(e.stdout, "\nThe table and the chart are in %s.\n", e.rel(filepath.Join(l.Dir, "results")))
	return exitOK
}
