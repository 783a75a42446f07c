package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// cmdTest runs every check CI runs, in CI's order, and ends with one plain
// summary line a CI log can be searched for.
func cmdTest(ctx context.Context, e *env, args []string) int {
	if !noMoreArgs(e, "test", args) {
		return exitUsage
	}
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	steps := []struct {
		name string
		run  func() bool
	}{
		{"lint", func() bool { return lintAll(ctx, e) }},
		{"verify", func() bool { return verifyAll(ctx, e) }},
		{"tools tests", func() bool { return toolsTests(ctx, e) }},
	}
	passed, failed := 0, 0
	for _, s := range steps {
		fmt.Fprintf(e.stdout, "\n%s\n", e.bold("== "+s.name))
		if s.run() {
			passed++
		} else {
			failed++
		}
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Fprintf(e.stdout, "\ntest: %d passed, %d failed\n", passed, failed)
	if failed > 0 || ctx.Err() != nil {
		return exitFail
	}
	return exitOK
}

// toolsTests runs the tools module's own tests with the race detector: the
// runner's tests and the browser tests (which need Chromium when CI=true).
func toolsTests(ctx context.Context, e *env) bool {
	cmd := exec.CommandContext(ctx, "go", "test", "-race", "./...")
	cmd.Dir = filepath.Join(e.root, "tools")
	cmd.Env = os.Environ()
	cmd.Stdout, cmd.Stderr = e.stdout, e.stderr
	return cmd.Run() == nil
}
