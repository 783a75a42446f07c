//go:build unix

package gotest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Cancelling a run stops the test binary too, not only go test.
func TestRunCancelStopsTestBinary(t *testing.T) {
	t.Parallel()
	dir := module(t, "package m\n\nimport (\n\t\"os\"\n\t\"strconv\"\n\t\"testing\"\n)\n\n"+
		"func TestHang(t *testing.T) {\n\tos.WriteFile(\"pid\", []byte(strconv.Itoa(os.Getpid())), 0o644)\n\tselect {}\n}\n")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, dir, Options{NoCache: true})
		done <- err
	}()

	// Another process has no event to wait on: look for its pid file until
	// a deadline.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(60 * time.Second)
	pid := 0
	for pid == 0 {
		select {
		case <-tick.C:
			if data, err := os.ReadFile(filepath.Join(dir, "pid")); err == nil {
				pid, _ = strconv.Atoi(string(data))
			}
		case <-deadline:
			t.Fatal("the test binary did not start within 60s")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run after cancel: no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
	gone := time.After(10 * time.Second)
	for alive(pid) {
		select {
		case <-tick.C:
		case <-gone:
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the test binary (pid %d) still runs 10s after the run was cancelled", pid)
		}
	}
}

// alive reports whether pid runs. A zombie does not: where no init reaps
// orphans (some containers), a killed process stays one.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err != nil || !strings.Contains(string(stat), ") Z ")
}
