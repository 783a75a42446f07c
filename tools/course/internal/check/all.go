package check

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"wscourse/tools/course/internal/term"
)

// All runs every check CI runs, in CI's order, and ends with one plain
// summary line a CI log can be searched for.
func All(ctx context.Context, e *term.Env) bool {
	steps := []struct {
		name string
		run  func() bool
	}{
		{"lint", func() bool { return Lint(ctx, e) }},
		{"verify", func() bool { return Verify(ctx, e, nil) }},
		{"tools tests", func() bool { return toolsTests(ctx, e) }},
	}
	passed, failed := 0, 0
	for _, s := range steps {
		fmt.Fprintf(e.Stdout, "\n%s\n", e.Bold("== "+s.name))
		if s.run() {
			passed++
		} else {
			failed++
		}
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Fprintf(e.Stdout, "\ntest: %d passed, %d failed\n", passed, failed)
	return failed == 0 && ctx.Err() == nil
}

// toolsTests runs the tools module's own tests with the race detector: the
// runner's tests and the browser tests (which need Chromium when CI=true).
func toolsTests(ctx context.Context, e *term.Env) bool {
	cmd := exec.CommandContext(ctx, "go", "test", "-race", "./...")
	cmd.Dir = filepath.Join(e.Root, "tools")
	cmd.Env = os.Environ()
	cmd.Stdout, cmd.Stderr = e.Stdout, e.Stderr
	return cmd.Run() == nil
}
