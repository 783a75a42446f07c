package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

// testEnv is a command's env on a fixture course, with its output in
// buffers and signals the test sends.
type testEnv struct {
	*env
	out, errOut *coursetest.Output
	sigs        chan os.Signal
}

func newTestEnv(root string) *testEnv {
	te := &testEnv{out: coursetest.NewOutput(), errOut: coursetest.NewOutput(), sigs: make(chan os.Signal, 1)}
	te.env = &env{Env: term.Env{Root: root, Cwd: root, Stdout: te.out, Stderr: te.errOut}, stdin: strings.NewReader(""), signals: te.sigs}
	return te
}

// runCmd runs one command line against root and returns its exit status and
// its standard output.
func runCmd(t *testing.T, root string, args ...string) (int, string) {
	t.Helper()
	te := newTestEnv(root)
	code := run(context.Background(), te.env, args)
	if s := te.errOut.String(); s != "" {
		t.Logf("stderr of %q:\n%s", args, s)
	}
	return code, te.out.String()
}
