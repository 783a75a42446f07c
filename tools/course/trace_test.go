package main

import (
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

// startTrace runs `course trace ARGS` with keys read from the returned
// writer, waits for the proxy's listening line and returns its URL.
func startTrace(t *testing.T, args ...string) (string, *testEnv, <-chan int, io.Writer) {
	t.Helper()
	te := newTestEnv(coursetest.Fixture(t))
	keys, kw := io.Pipe()
	te.stdin, te.canAsk = keys, true
	t.Cleanup(func() { kw.Close() })
	code := make(chan int, 1)
	t.Cleanup(func() {
		select {
		case te.sigs <- syscall.SIGKILL:
		default:
		}
	})
	go func() { code <- run(context.Background(), te.env, append([]string{"trace"}, args...)) }()
	te.out.WaitFor(t, "listening on http://", 1)
	line, _, _ := strings.Cut(te.out.String()[strings.Index(te.out.String(), "listening on http://"):], "\n")
	return strings.TrimPrefix(line, "listening on "), te, code, kw
}

// TestTrace runs the fixture's lesson 1 behind the proxy: the answer is the
// server's, the trace shows the request and the answer, and the keys change
// the network.
func TestTrace(t *testing.T) {
	t.Parallel()
	url, te, code, keys := startTrace(t, "1", "-addr", "127.0.0.1:0", "-latency", "20ms", "--", "-name", "class")
	if got, want := get(t, url), "hello, class\n"; got != want {
		t.Errorf("GET / through the proxy = %q, want the solution's %q", got, want)
	}
	if n := strings.Count(te.out.String(), "listening on"); n != 1 {
		t.Errorf("%d listening lines, want only the proxy's:\n%s", n, te.out)
	}
	te.out.WaitFor(t, "client→server  GET / HTTP/1.1  head ", 1)
	te.out.WaitFor(t, "server→client  HTTP/1.1 200 OK  head ", 1)
	io.WriteString(keys, "+\n")
	te.out.WaitFor(t, "proxy  latency now 70ms client→server, 70ms server→client", 1)
	io.WriteString(keys, "-\n-\n")
	te.out.WaitFor(t, "proxy  latency now 0s client→server, 0s server→client", 1)
	io.WriteString(keys, "s\nc\n?\n")
	te.out.WaitFor(t, "proxy  stalling ", 1)
	te.out.WaitFor(t, "proxy  cut ", 1)
	te.errOut.WaitFor(t, "trace: type a key and Enter", 2)
	coursetest.AssertInOrder(t, te.errOut.String(), "building lesson 1 (the reference solution of 01-good)", "trace: lesson 1's server is at 127.0.0.1:")
	stopServer(t, te, code)
}

// TestTraceOwn traces the student's code with -own.
func TestTraceOwn(t *testing.T) {
	t.Parallel()
	url, te, code, _ := startTrace(t, "1", "-own", "-addr", "127.0.0.1:0")
	if got := get(t, url); got != "\n" {
		t.Errorf("GET / from the starter through the proxy = %q, want %q", got, "\n")
	}
	coursetest.AssertInOrder(t, te.errOut.String(), "building lesson 1 (your code in lessons/01-good)")
	stopServer(t, te, code)
}

// TestTraceFaultFlags checks that a flag's fault reaches the proxy: with
// 300ms of latency each way, a request takes at least 600ms.
func TestTraceFaultFlags(t *testing.T) {
	t.Parallel()
	url, te, code, _ := startTrace(t, "1", "-addr", "127.0.0.1:0", "-latency-to-server", "300ms", "-latency-to-client", "300ms", "-rate", "64k")
	start := time.Now()
	get(t, url)
	if took := time.Since(start); took < 600*time.Millisecond {
		t.Errorf("a request through 300ms of latency each way took %v, want at least 600ms", took)
	}
	stopServer(t, te, code)
}

func TestTraceUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"trace"},
		{"trace", "1", "-rate", "fast"},
		{"trace", "1", "-latency", "-1s"},
		{"trace", "1", "-nosuchflag"},
	} {
		te := newTestEnv(coursetest.Fixture(t))
		if c := run(t.Context(), te.env, args); c != term.ExitUsage {
			t.Errorf("%q: exit status %d, want %d; stderr:\n%s", args, c, term.ExitUsage, te.errOut)
		}
	}
	te := newTestEnv(coursetest.Fixture(t))
	if c := run(t.Context(), te.env, []string{"trace", "3", "-own"}); c != term.ExitFail {
		t.Errorf("trace 3 -own: exit status %d, want %d", c, term.ExitFail)
	}
	coursetest.AssertInOrder(t, te.errOut.String(), "lesson 3 does not build")
}

// TestParseRate reads bandwidth caps.
func TestParseRate(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "0": 0, "2000": 2000, "16k": 16 << 10, "2M": 2 << 20} {
		if got, err := parseRate(in); err != nil || got != want {
			t.Errorf("parseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"k", "-5", "1.5k", "fast"} {
		if _, err := parseRate(in); err == nil {
			t.Errorf("parseRate(%q): no error", in)
		}
	}
}
