package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

// startServer runs `course ARGS` with its stdout piped, waits for the
// server's listening line and returns its URL, the env, and the exit status
// to come.
func startServer(t *testing.T, args ...string) (string, *testEnv, <-chan int) {
	t.Helper()
	te := newTestEnv(coursetest.Fixture(t))
	pr, pw := io.Pipe()
	te.Stdout = pw
	code := make(chan int, 1)
	// The server runs in a process group of its own: if the test fails
	// before stopping it, kill it rather than leave it running.
	t.Cleanup(func() {
		select {
		case te.sigs <- syscall.SIGKILL:
		default:
		}
	})
	go func() {
		code <- run(context.Background(), te.env, args)
		pw.Close()
	}()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case line, ok := <-lines:
		url, found := strings.CutPrefix(line, "listening on ")
		if !ok || !found {
			t.Fatalf("first line %q, want the server's listening line; stderr:\n%s", line, te.errOut.String())
		}
		go func() {
			for range lines {
			}
		}()
		return url, te, code
	case <-time.After(2 * time.Minute):
		t.Fatalf("no listening line within 2m; stderr:\n%s", te.errOut.String())
	}
	return "", nil, nil
}

func get(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func stopServer(t *testing.T, te *testEnv, code <-chan int) {
	t.Helper()
	te.sigs <- syscall.SIGINT
	select {
	case c := <-code:
		if c != term.ExitOK {
			t.Errorf("exit status %d after SIGINT, want the server's 0", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop within 10s of SIGINT")
	}
}

func TestRunStudentServer(t *testing.T) {
	t.Parallel()
	url, te, code := startServer(t, "run", "1", "-addr", "127.0.0.1:0")
	if got := get(t, url); got != "\n" {
		t.Errorf("GET / from the starter = %q, want %q (Greet is a TODO)", got, "\n")
	}
	stopServer(t, te, code)
}

func TestDemoPassesServerArgs(t *testing.T) {
	t.Parallel()
	url, te, code := startServer(t, "demo", "1", "-addr", "127.0.0.1:0", "--", "-name", "class")
	if got, want := get(t, url), "hello, class\n"; got != want {
		t.Errorf("GET / from the solution = %q, want %q", got, want)
	}
	stopServer(t, te, code)
}

func TestRunDoesNotBuild(t *testing.T) {
	t.Parallel()
	te := newTestEnv(coursetest.Fixture(t))
	if code := run(t.Context(), te.env, []string{"run", "3"}); code != term.ExitFail {
		t.Errorf("exit status %d, want %d", code, term.ExitFail)
	}
	coursetest.AssertInOrder(t, te.errOut.String(), "lesson 3 does not build", "lessons/03-broken/broken.go:8:9: undefined: undefinedName")
}
