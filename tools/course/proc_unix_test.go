//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

// The runner writing to a pipe whose reader has gone (`make hint-1 | head`)
// exits normally instead of dying of SIGPIPE. The test runs itself as the
// runner, with a stdout nobody reads.
func TestBrokenPipe(t *testing.T) {
	if os.Getenv("COURSE_TEST_BROKEN_PIPE") == "1" {
		ignoreBrokenPipe()
		root := coursetest.Fixture(t)
		e := &env{Env: term.Env{Root: root, Cwd: root, Stdout: os.Stdout, Stderr: os.Stderr}, stdin: strings.NewReader("")}
		os.Exit(run(context.Background(), e, []string{"hint", "1"}))
	}
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader has gone before the first write
	defer w.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenPipe$")
	cmd.Env = append(os.Environ(), "COURSE_TEST_BROKEN_PIPE=1")
	cmd.Stdout = w
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("hint into a closed pipe: %v, want exit status 0; stderr:\n%s", err, stderr.String())
	}
}
