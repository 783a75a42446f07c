package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/internal/english"
)

// cmdReset puts a lesson back as it is in git: its starter files, and the
// given files the student changed too, since a changed main.go or test can
// keep the lesson from building after a reset. It reads the files with `git
// show` and writes them, leaving the index and files git does not know alone.
func cmdReset(ctx context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "reset", args)
	if !ok {
		return exitUsage
	}
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	ref := fs.String("ref", "HEAD", "the git commit, branch or tag to take the files from")
	if err := fs.Parse(rest); err != nil || !noMoreArgs(e, "reset", fs.Args()) {
		return exitUsage
	}
	lessonDir, starters, err := starterRepoPaths(l)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitFail
	}
	diff, err := gitDiff(ctx, e.root, *ref, lessonDir)
	if err != nil {
		fmt.Fprintf(e.stderr, "reset: cannot compare %s with %s in git: %v\n", e.rel(l.Dir), *ref, err)
		return exitFail
	}
	var given []string
	for _, f := range diff.changed {
		if !slices.Contains(starters, f) {
			given = append(given, f)
		}
	}
	restore := slices.Concat(starters, given)
	// Read every file first, so a missing one changes nothing.
	contents := make([][]byte, len(restore))
	for i, f := range restore {
		if contents[i], err = gitShow(ctx, e.root, *ref, f); err != nil {
			fmt.Fprintf(e.stderr, "reset: cannot read %s at %s from git: %v\n", e.shown(f), *ref, err)
			return exitFail
		}
	}

	fmt.Fprintf(e.stdout, "reset lesson %d to its version at %s:\n\n", l.Num, *ref)
	e.listFiles("the starter files, which you edit:", starters, diff.deleted)
	e.listFiles("given files you changed, which the lessons do not ask you to edit:", given, diff.deleted)
	e.listFiles("not part of the course, left alone:", slices.Concat(diff.added, diff.untracked), nil)
	if !*yes {
		if !e.canAsk {
			again := fmt.Sprintf("go run ./tools/course reset %d -yes", l.Num)
			if e.viaMake {
				again = fmt.Sprintf("make reset-%d ARGS=-yes", l.Num)
			}
			fmt.Fprintf(e.stderr, "reset: not resetting: there is no terminal to confirm on. To reset without a question, run\n    %s\n", again)
			return exitUsage
		}
		fmt.Fprint(e.stdout, "Your changes to the files to reset will be lost. Type yes to reset: ")
		answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
			fmt.Fprintln(e.stdout, "Nothing changed.")
			return exitFail
		}
	}
	for i, f := range restore {
		path := filepath.Join(e.root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintf(e.stderr, "reset: %v\n", err)
			return exitFail
		}
		if err := os.WriteFile(path, contents[i], 0o644); err != nil {
			fmt.Fprintf(e.stderr, "reset: %v\n", err)
			return exitFail
		}
	}
	what := english.Count(len(starters), "starter file")
	if len(given) > 0 {
		what += " and " + english.Count(len(given), "given file")
	}
	fmt.Fprintf(e.stdout, "Restored %s from %s. Lesson %d is back at its start: run `make lesson-%d` to see its tests fail.\n",
		what, *ref, l.Num, l.Num)
	return exitOK
}

// listFiles prints a heading and files (relative to the course root), if
// there are any, marking those in deleted.
func (e *env) listFiles(heading string, files, deleted []string) {
	if len(files) == 0 {
		return
	}
	fmt.Fprintf(e.stdout, "  %s\n", heading)
	for _, f := range files {
		mark := ""
		if slices.Contains(deleted, f) {
			mark = " (deleted)"
		}
		fmt.Fprintf(e.stdout, "    %s%s\n", e.shown(f), mark)
	}
	fmt.Fprintln(e.stdout)
}

// shown is a path relative to the course root as the user sees it.
func (e *env) shown(path string) string {
	return e.rel(filepath.Join(e.root, filepath.FromSlash(path)))
}
