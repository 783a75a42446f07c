package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"wscourse/tools/internal/lesson"
)

const (
	buildTimeout  = 3 * time.Minute  // a first build may download modules
	listenTimeout = 10 * time.Second // from start to the `listening on` line
	// shutdownTimeout is the course's rule: on SIGINT or SIGTERM a server
	// exits 0 within 5 seconds.
	shutdownTimeout = 5 * time.Second
)

// listenPrefix starts the line every lesson's server prints when it is ready.
const listenPrefix = "listening on http://"

// builds holds one build of each lesson's reference server per test binary.
var builds = struct {
	sync.Mutex
	m map[int]func() (string, error)
}{m: map[int]func() (string, error){}}

// solutionBinary returns lesson n's server built with its solution, building
// it on first use.
func solutionBinary(n int) (string, error) {
	builds.Lock()
	build, ok := builds.m[n]
	if !ok {
		build = sync.OnceValues(func() (string, error) { return buildSolution(n) })
		builds.m[n] = build
	}
	builds.Unlock()
	return build()
}

// buildSolution stages lesson n with its solution files in workDir and builds
// it there as a module of its own, as `make demo-N` does.
func buildSolution(n int) (string, error) {
	root, err := lesson.FindRoot(".")
	if err != nil {
		return "", err
	}
	l, err := lesson.Find(root, n)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(workDir, l.Name)
	if err := l.StageSolution(dir); err != nil {
		return "", fmt.Errorf("stage %s with its solution: %w", l.Name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	bin, out, err := lesson.Build(ctx, dir, filepath.Join(dir, "bin"))
	if err != nil {
		return "", fmt.Errorf("build %s with its solution (GOWORK=off go build in %s): %v\n%s", l.Name, dir, err, out)
	}
	return bin, nil
}

// server is a running lesson server.
type server struct {
	t      *testing.T
	URL    string // http://127.0.0.1:PORT, without a trailing slash
	Addr   string // 127.0.0.1:PORT
	cmd    *exec.Cmd
	out    *output
	exited chan struct{} // closed when the process has exited
	err    error         // what Wait returned; read after exited is closed

	mu       sync.Mutex
	signaled time.Time // when the last signal was sent
	shown    bool      // the output is already in a failure message
}

// startLesson builds lesson n's reference server (once per test binary),
// starts it on a free port of 127.0.0.1 with the extra flags args, and waits
// for its `listening on` line. The server is stopped with SIGTERM when the
// test ends, and must then exit 0 within the course's shutdown timeout.
func startLesson(t *testing.T, n int, args ...string) *server {
	t.Helper()
	requireBrowser(t) // every server here is for a browser: skip before building without one
	bin, err := solutionBinary(n)
	if err != nil {
		t.Fatalf("lesson %d: %v", n, err)
	}
	s := &server{t: t, out: newOutput(), exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Stdout = s.out
	s.cmd.Stderr = s.out
	s.cmd.WaitDelay = time.Second // a child holding the output open does not hang Wait
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start lesson %d's server: %v", n, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(s.cleanup)

	timer := time.NewTimer(listenTimeout)
	defer timer.Stop()
	select {
	case s.Addr = <-s.out.listening:
		s.URL = "http://" + s.Addr
	case <-s.exited:
		t.Fatalf("lesson %d's server exited before printing %q: %v\n%s", n, listenPrefix+"ADDR", s.err, s.output())
	case <-timer.C:
		t.Fatalf("lesson %d's server printed no %q line within %v\n%s", n, listenPrefix+"ADDR", listenTimeout, s.output())
	}
	return s
}

// Signal sends sig to the server, and starts the shutdown clock that WaitExit
// checks.
func (s *server) Signal(sig os.Signal) {
	s.t.Helper()
	if err := s.signal(sig); err != nil {
		s.t.Fatalf("signal %v to the server: %v", sig, err)
	}
}

func (s *server) signal(sig os.Signal) error {
	s.mu.Lock()
	s.signaled = time.Now()
	s.mu.Unlock()
	return s.cmd.Process.Signal(sig)
}

// WaitExit waits for the server to exit, at most until shutdownTimeout after
// the last Signal, and returns an error unless it exited with status 0.
func (s *server) WaitExit() error {
	s.mu.Lock()
	deadline := s.signaled.Add(shutdownTimeout)
	if s.signaled.IsZero() {
		deadline = time.Now().Add(shutdownTimeout)
	}
	s.mu.Unlock()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-s.exited:
		return s.exitErr()
	case <-timer.C:
		select { // it may have exited just now
		case <-s.exited:
			return s.exitErr()
		default:
		}
		return fmt.Errorf("the server was still running %v after the signal, want it to exit 0 within %v\n%s", shutdownTimeout, shutdownTimeout, s.output())
	}
}

func (s *server) exitErr() error {
	if s.err != nil {
		return fmt.Errorf("the server exited with %v, want exit status 0\n%s", s.err, s.output())
	}
	return nil
}

// Stop sends SIGTERM and waits for the server to exit 0 in time.
func (s *server) Stop() error {
	s.t.Helper()
	s.Signal(syscall.SIGTERM)
	return s.WaitExit()
}

// Output returns what the server has printed so far, stdout and stderr.
func (s *server) Output() string { return s.out.String() }

// output is the server's output for a failure message, which then need not
// repeat it when the test ends.
func (s *server) output() string {
	s.mu.Lock()
	s.shown = true
	s.mu.Unlock()
	return "server output:\n" + s.out.String()
}

// cleanup stops a server still running when the test ends; it must shut down
// cleanly like any other time. A server that does not is killed.
func (s *server) cleanup() {
	select {
	case <-s.exited:
	default:
		err := s.signal(syscall.SIGTERM)
		if err == nil {
			err = s.WaitExit()
		}
		if err != nil {
			s.t.Errorf("stopping the server with SIGTERM at the end of the test: %v", err)
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	s.mu.Lock()
	shown := s.shown
	s.mu.Unlock()
	if s.t.Failed() && !shown {
		s.t.Logf("server output:\n%s", s.out)
	}
}

// output collects a server's output and reports the address of its first
// `listening on` line.
type output struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	scanned   int // bytes of buf already searched for the line
	found     bool
	listening chan string // receives the address once
}

func newOutput() *output { return &output{listening: make(chan string, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	for !o.found {
		rest := o.buf.Bytes()[o.scanned:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimSpace(string(rest[:i]))
		o.scanned += i + 1
		if addr, ok := strings.CutPrefix(line, listenPrefix); ok {
			o.found = true
			o.listening <- strings.TrimSuffix(addr, "/")
		}
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
