// course:shared: the same in every lesson that has this file; make verify compares the copies.

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
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
// so that a test of a broken server ends in a second or two, not five. The
// wait for a close frame's answer keeps its real ratio to shutdownGrace.
func init() {
	shutdownGrace, shutdownLimit = 1500*time.Millisecond, 2*time.Second
	defaultConfig.closeWait = shutdownGrace / 2
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

// leakWait is how long checkNoLeaks waits for goroutines to wind down.
const leakWait = 3 * time.Second

// leakReportedBy names the first test that reported leaked goroutines. The
// tests after it check without waiting: a server that leaks on every
// connection would otherwise cost every later test the whole wait again.
var leakReportedBy struct {
	sync.Mutex
	test string
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
		leakReportedBy.Lock()
		earlier := leakReportedBy.test
		leakReportedBy.Unlock()
		wait := leakWait
		if earlier != "" {
			wait = 0
		}
		leaked := leftRunning(before, wait)
		switch {
		case len(leaked) == 0:
		case earlier != "":
			t.Logf("%d goroutine(s) still running as the test ended, not waited for: %s has reported leaked goroutines already", len(leaked), earlier)
		default:
			leakReportedBy.Lock()
			leakReportedBy.test = t.Name()
			leakReportedBy.Unlock()
			t.Errorf("%d goroutine(s) still running %v after the test ended; want none. Every goroutine a connection starts must return once the connection is closed (a loop with no way out? a send on a channel nobody reads?). Still running:\n\n%s\n(Later tests do not wait for their goroutines: one report of a leak is enough.)",
				len(leaked), leakWait, describeLeaks(leaked))
		}
	})
}

// leftRunning returns the program's goroutines not in before, once there
// are none or wait has passed.
func leftRunning(before map[string]bool, wait time.Duration) []goroutine {
	deadline := time.Now().Add(wait)
	for {
		var left []goroutine
		for _, g := range goroutines() {
			if !before[g.id] && !g.runtime {
				left = append(left, g)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(10 * time.Millisecond) // poll: goroutines wind down on their own
	}
}

// describeLeaks lists the kinds of goroutines left, a line each with how
// many there are, then one stack of each kind.
func describeLeaks(leaked []goroutine) string {
	var kinds []string
	count, stack := map[string]int{}, map[string]string{}
	for _, g := range leaked {
		k := g.where()
		if count[k] == 0 {
			kinds, stack[k] = append(kinds, k), g.stack
		}
		count[k]++
	}
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %d in %s\n", count[k], k)
	}
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(stack[k]))
	}
	return b.String()
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

// lessonDir is the folder of the lesson's files, as stacks name it, so that
// where can tell the lesson's own code from the libraries'.
var lessonDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return file[:strings.LastIndex(file, "/")+1]
}()

// where says in a line where the goroutine is and what started it, at the
// innermost frame of the lesson's own code where there is one:
// "(*hub).run (hub.go:40) [chan receive], started by newHub (hub.go:21)".
func (g goroutine) where() string {
	lines := strings.Split(strings.TrimSpace(g.stack), "\n")
	state := ""
	if _, s, ok := strings.Cut(lines[0], "["); ok {
		state, _, _ = strings.Cut(s, "]")
		state, _, _ = strings.Cut(state, ",") // drop how long it has waited
	}
	type frame struct{ fn, file, line string }
	var frames []frame
	for _, l := range lines[1:] {
		if at, ok := strings.CutPrefix(l, "\t"); ok && len(frames) > 0 {
			at, _, _ = strings.Cut(at, " +0x")
			f := &frames[len(frames)-1]
			f.file, f.line, _ = strings.Cut(at, ":")
			continue
		}
		fn, _, _ := strings.Cut(strings.TrimPrefix(l, "created by "), " in goroutine ")
		if i := strings.LastIndex(fn, "("); i > 0 && strings.HasSuffix(fn, ")") {
			fn = fn[:i] // the arguments
		}
		frames = append(frames, frame{fn: fn})
	}
	if len(frames) == 0 {
		return "[" + state + "]"
	}
	inLesson := func(f frame) bool { return strings.HasPrefix(f.file, lessonDir) }
	own := func(f frame) bool { return inLesson(f) && !strings.HasSuffix(f.file, "_test.go") }
	name := func(f frame) string {
		fn := f.fn[strings.LastIndex(f.fn, "/")+1:] // net/http.(*conn).serve: http.(*conn).serve
		if inLesson(f) {
			_, fn, _ = strings.Cut(fn, ".") // the lesson's package needs no name
		}
		return fmt.Sprintf("%s (%s:%s)", fn, f.file[strings.LastIndex(f.file, "/")+1:], f.line)
	}
	in, by := frames[0], frame{}
	if strings.HasPrefix(lines[len(lines)-2], "created by ") {
		by, frames = frames[len(frames)-1], frames[:len(frames)-1]
	}
	// The innermost frame of the lesson's own code, else of its tests.
	for _, is := range []func(frame) bool{inLesson, own} {
		for _, f := range slices.Backward(frames) {
			if is(f) {
				in = f
			}
		}
	}
	out := fmt.Sprintf("%s [%s]", name(in), state)
	if by.fn != "" {
		out += ", started by " + name(by)
	}
	return out
}
