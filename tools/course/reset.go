package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// cmdReset puts the starter files of a lesson back as they are in git. It
// reads them with `git show` and writes the files, leaving the index and
// every other file alone.
func cmdReset(ctx context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "reset", args)
	if !ok {
		return exitUsage
	}
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	ref := fs.String("ref", "HEAD", "the git commit, branch or tag to take the starter files from")
	if err := fs.Parse(rest); err != nil || !noMoreArgs(e, "reset", fs.Args()) {
		return exitUsage
	}
	files, err := l.StarterFiles()
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitFail
	}
	// Read every file first, so a missing one changes nothing.
	contents := make([][]byte, len(files))
	for i, f := range files {
		path := filepath.Join(l.Dir, f)
		rel, _ := filepath.Rel(e.root, path)
		show := exec.CommandContext(ctx, "git", "show", *ref+":./"+filepath.ToSlash(rel))
		show.Dir = e.root
		var stderr strings.Builder
		show.Stderr = &stderr
		contents[i], err = show.Output()
		if err != nil {
			fmt.Fprintf(e.stderr, "reset: cannot read %s at %s from git: %s\n", e.rel(path), *ref, strings.TrimSpace(stderr.String()))
			return exitFail
		}
	}

	fmt.Fprintf(e.stdout, "reset lesson %d: these files go back to their starter version at %s:\n\n", l.Num, *ref)
	for _, f := range files {
		fmt.Fprintf(e.stdout, "    %s\n", e.rel(filepath.Join(l.Dir, f)))
	}
	fmt.Fprintln(e.stdout)
	if !*yes {
		if !e.canAsk {
			again := fmt.Sprintf("go run ./tools/course reset %d -yes", l.Num)
			if e.viaMake {
				again = fmt.Sprintf("make reset-%d ARGS=-yes", l.Num)
			}
			fmt.Fprintf(e.stderr, "reset: not resetting: there is no terminal to confirm on. To reset without a question, run\n    %s\n", again)
			return exitUsage
		}
		fmt.Fprint(e.stdout, "Your changes to them will be lost. Type yes to reset: ")
		answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
			fmt.Fprintln(e.stdout, "Nothing changed.")
			return exitFail
		}
	}
	for i, f := range files {
		if err := os.WriteFile(filepath.Join(l.Dir, f), contents[i], 0o644); err != nil {
			fmt.Fprintf(e.stderr, "reset: %v\n", err)
			return exitFail
		}
	}
	fmt.Fprintf(e.stdout, "Lesson %d is back at its start. Run `make lesson-%d` to see its tests fail.\n", l.Num, l.Num)
	return exitOK
}
