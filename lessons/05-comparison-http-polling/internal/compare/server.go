package compare

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Build compiles the lesson's server in dir (the lesson folder) into
// binDir, as a module of its own, and returns the binary's path.
func Build(ctx context.Context, dir, binDir string) (string, error) {
	bin := filepath.Join(binDir, "server")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in %s: %v\n%s", dir, err, out)
	}
	return bin, nil
}

// Server is the lesson's server running as a child process, so that its CPU
// time is its own and not the load generator's.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	done chan error
}

// Start runs bin on a free port with args and waits for its
// "listening on http://ADDR" line. Its log goes to log.
func Start(ctx context.Context, bin string, log io.Writer, args ...string) (*Server, error) {
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on http://"); ok {
				addr <- a
			}
			fmt.Fprintln(log, sc.Text())
		}
		s.done <- cmd.Wait()
	}()
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case s.Addr = <-addr:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("the server exited before listening: %v", err)
	case <-t.C:
	case <-ctx.Done():
	}
	cmd.Process.Kill()
	<-s.done
	return nil, errors.New("the server printed no \"listening on\" line within 10s")
}

// Stop sends SIGTERM and waits for the server to exit.
func (s *Server) Stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case err := <-s.done:
		return err
	case <-t.C:
		s.cmd.Process.Kill()
		return fmt.Errorf("the server was still running 10s after SIGTERM; killed")
	}
}

// CPU returns the server's CPU time so far: see ProcessCPU.
func (s *Server) CPU() (time.Duration, error) { return ProcessCPU(s.cmd.Process.Pid) }

// RSS returns the server's resident memory: see ProcessRSS.
func (s *Server) RSS() (int64, error) { return ProcessRSS(s.cmd.Process.Pid) }

// SelfCPU returns the CPU time of this process, the load generator, so far.
func SelfCPU() (time.Duration, error) { return ProcessCPU(os.Getpid()) }

// ProcessCPU returns the CPU time a process has used so far, user and
// system, from Linux's /proc: the sum over its threads of the nanoseconds
// each has run (schedstat), exact where /proc/PID/stat counts 10ms ticks.
// Elsewhere it returns an error, and the tables say n/a.
func ProcessCPU(pid int) (time.Duration, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, t.Name(), "schedstat"))
		if err != nil {
			continue // a thread that has just exited
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s/schedstat: %v", t.Name(), err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}

// Stage copies the lesson folder dir to dst, leaving out results/, and lays
// the .go files of with (a solution folder) over it: the server to build
// when `make bench` measures the reference solution.
func Stage(dir, with, dst string) error {
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			if rel == "results" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		return copyFile(path, filepath.Join(dst, rel))
	})
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(with, "*.go"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no .go files in %s (%v)", with, err)
	}
	for _, f := range files {
		if err := copyFile(f, filepath.Join(dst, filepath.Base(f))); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
