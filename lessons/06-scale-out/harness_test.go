// course:shared: the same in every lesson that has this file; make verify compares the copies.

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// readTimeout bounds every read a test makes, so a server that does not answer
// fails the test in seconds instead of hanging it.
const readTimeout = 2 * time.Second

// A server whose connections do not end is cut off sooner than in real use,
// so that a test of a broken server ends in a second or two, not five.
func init() {
	shutdownGrace, shutdownLimit = 1500*time.Millisecond, 2*time.Second
}

// testServer is the lesson's server, started through run as main starts it.
type testServer struct {
	addr    string // host:port it listens on
	logs    *syncBuffer
	cancel  context.CancelFunc // what SIGINT or SIGTERM does
	stopped chan error         // run's result
}

// startServer runs the server on a free port of 127.0.0.1 with these extra
// flags, and shuts it down when the test ends.
func startServer(tb testing.TB, flags ...string) *testServer {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{logs: &syncBuffer{}, cancel: cancel, stopped: make(chan error, 1)}
	stdout := newLineWriter()
	args := append([]string{"-addr", "127.0.0.1:0"}, flags...)
	go func() { ts.stopped <- run(ctx, args, stdout, ts.logs) }()

	timer := time.NewTimer(readTimeout)
	defer timer.Stop()
	select {
	case line := <-stdout.first:
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on http://")
		require.Truef(tb, ok, "the server printed %q first; want \"listening on http://ADDR\" (main.go and serve.go are given: are they the originals?)", line)
		ts.addr = addr
	case err := <-ts.stopped:
		cancel()
		tb.Fatalf("the server stopped before listening: %v\n%s", err, ts.logs)
	case <-timer.C:
		cancel()
		tb.Fatalf("the server printed no \"listening on\" line within %v\n%s", readTimeout, ts.logs)
	}
	tb.Cleanup(func() {
		if err := ts.shutdown(); err != nil {
			tb.Error(err)
		}
		ts.showLog(tb)
	})
	return ts
}

// showLog prints the server's log into the test's output when the test
// failed or the server panicked (net/http recovers a handler's panic and
// logs it), so that the cause is in the report.
func (ts *testServer) showLog(tb testing.TB) {
	log := ts.logs.String()
	if strings.Contains(log, "panic") {
		tb.Errorf("the server panicked:\n%s", log)
		return
	}
	if tb.Failed() && strings.Count(log, "\n") > 1 {
		tb.Logf("server log:\n%s", log)
	}
}

// shutdown does what SIGTERM does and waits for run to return.
func (ts *testServer) shutdown() error {
	wait := shutdownLimit + time.Second
	err := ts.shutdownBy(time.Now().Add(wait))
	if errors.Is(err, errStillRunning) {
		return fmt.Errorf("%v %v after shutdown began; want it stopped within %v: does every connection end once s.closing is done?", err, wait, shutdownLimit)
	}
	return err
}

// errStillRunning: run has not returned by the deadline.
var errStillRunning = errors.New("the server was still running")

// shutdownBy does what SIGTERM does, if the test has not yet, and waits until
// deadline for run to return nil.
func (ts *testServer) shutdownBy(deadline time.Time) error {
	ts.cancel()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case err, ok := <-ts.stopped:
		if ok {
			close(ts.stopped)
		}
		if err != nil {
			return fmt.Errorf("run returned %v after shutdown; want nil", err)
		}
		return nil
	case <-timer.C:
		return errStillRunning
	}
}

// lineWriter is the server's stdout: it hands over the first line written.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	sent  bool
	first chan string
}

func newLineWriter() *lineWriter { return &lineWriter{first: make(chan string, 1)} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if line, _, ok := strings.Cut(w.buf.String(), "\n"); ok && !w.sent {
		w.sent = true
		w.first <- line
	}
	return len(p), nil
}

// syncBuffer collects the server's log.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// checkNoLeaks fails the test if goroutines started during it are still
// running once it has ended, its servers shut down and its clients closed.
// Call it first, so that its check runs after every other cleanup.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	before := map[string]bool{}
	for _, g := range goroutines() {
		before[g.id] = true
	}
	t.Cleanup(func() {
		if t.Failed() {
			return // it has said what is wrong; the goroutines of a broken server need not be waited for
		}
		deadline := time.Now().Add(3 * time.Second)
		for {
			var leaked []string
			for _, g := range goroutines() {
				if !before[g.id] && !g.runtime {
					leaked = append(leaked, g.stack)
				}
			}
			if len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutine(s) still running 3s after the test ended; want none. Every goroutine a connection starts must return once the connection is closed (a loop with no way out? a send on a channel nobody reads?):\n\n%s",
					len(leaked), strings.Join(leaked, "\n\n"))
				return
			}
			time.Sleep(10 * time.Millisecond) // poll: goroutines wind down on their own
		}
	})
}

type goroutine struct {
	id      string
	stack   string
	runtime bool // not the program's: the signal loop, the test framework
}

// goroutines lists every goroutine but the caller's.
func goroutines() []goroutine {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutine
	for i, stack := range strings.Split(string(buf), "\n\n") {
		if i == 0 {
			continue // this goroutine
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(stack, "goroutine "), " ")
		out = append(out, goroutine{
			id:    id,
			stack: stack,
			runtime: strings.Contains(stack, "os/signal.signal_recv") || strings.Contains(stack, "runtime.ensureSigM") ||
				strings.Contains(stack, "testing.(*T).Run") || strings.Contains(stack, "testing.runFuzzing"),
		})
	}
	return out
}
