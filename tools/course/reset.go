package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/course/internal/git"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/english"
)

// cmdReset puts a lesson back as it is in git: its starter files, and the
// given files the student changed too, since a changed main.go or test can
// keep the lesson from building after a reset. It reads the files with `git
// show` and writes them, leaving the index and files git does not know alone.
func cmdReset(ctx context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "reset", args)
	if !ok {
		return term.ExitUsage
	}
	fs := e.flagSet("reset")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	ref := fs.String("ref", "HEAD", "the git commit, branch or tag to take the files from")
	if err := fs.Parse(rest); err != nil || !noMoreArgs(e, "reset", fs.Args()) {
		return term.ExitUsage
	}
	lessonDir, starters, err := git.StarterPaths(l)
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return term.ExitFail
	}
	diff, err := git.Diff(ctx, e.Root, *ref, lessonDir)
	if err != nil {
		fmt.Fprintf(e.Stderr, "reset: cannot compare %s with %s in git: %v\n", e.Rel(l.Dir), *ref, err)
		return term.ExitFail
	}
	var given []string
	for _, f := range diff.Changed {
		if !slices.Contains(starters, f) {
			given = append(given, f)
		}
	}
	restore := slices.Concat(starters, given)
	// Read every file first, so a missing one changes nothing.
	contents := make([][]byte, len(restore))
	for i, f := range restore {
		if contents[i], err = git.Show(ctx, e.Root, *ref, f); err != nil {
			fmt.Fprintf(e.Stderr, "reset: cannot read %s at %s from git: %v\n", e.shown(f), *ref, err)
			return term.ExitFail
		}
	}

	fmt.Fprintf(e.Stdout, "reset lesson %d to its version at %s:\n\n", l.Num, *ref)
	e.listFiles("the starter files, which you edit:", starters, diff.Deleted)
	e.listFiles("given files you changed, which the lessons do not ask you to edit:", given, diff.Deleted)
	e.listFiles("not part of the course, left alone:", slices.Concat(diff.Added, diff.Untracked), nil)
	if !*yes {
		if !e.canAsk {
			again := fmt.Sprintf("go run ./tools/course reset %d -yes", l.Num)
			if e.viaMake {
				again = fmt.Sprintf("make reset-%d ARGS=-yes", l.Num)
			}
			fmt.Fprintf(e.Stderr, "reset: not resetting: there is no terminal to confirm on. To reset without a question, run\n    %s\n", again)
			return term.ExitUsage
		}
		fmt.Fprint(e.Stdout, "Your changes to the files to reset will be lost. Type yes to reset: ")
		answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
			fmt.Fprintln(e.Stdout, "Nothing changed.")
			return term.ExitFail
		}
	}
	for i, f := range restore {
		path := filepath.Join(e.Root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintf(e.Stderr, "reset: %v\n", err)
			return term.ExitFail
		}
		if err := os.WriteFile(path, contents[i], 0o644); err != nil {
			fmt.Fprintf(e.Stderr, "reset: %v\n", err)
			return term.ExitFail
		}
	}
	what := english.Count(len(starters), "starter file")
	if len(given) > 0 {
		what += " and " + english.Count(len(given), "given file")
	}
	fmt.Fprintf(e.Stdout, "Restored %s from %s. Lesson %d is back at its start: run `make lesson-%d` to see its tests fail.\n",
		what, *ref, l.Num, l.Num)
	return term.ExitOK
}

// listFiles prints a heading and files (relative to the course root), if
// there are any, marking those in deleted.
func (e *env) listFiles(heading string, files, deleted []string) {
	if len(files) == 0 {
		return
	}
	fmt.Fprintf(e.Stdout, "  %s\n", heading)
	for _, f := range files {
		mark := ""
		if slices.Contains(deleted, f) {
			mark = " (deleted)"
		}
		fmt.Fprintf(e.Stdout, "    %s%s\n", e.shown(f), mark)
	}
	fmt.Fprintln(e.Stdout)
}

// shown is a path relative to the course root as the user sees it.
func (e *env) shown(path string) string {
	return e.Rel(filepath.Join(e.Root, filepath.FromSlash(path)))
}
