//go:build unix

package gotest

import (
	"os/exec"
	"syscall"
	"time"
)

// StopTree makes cancelling cmd, a go test, end it and the test binary it
// started: go test does not pass a signal on to that binary (it expects the
// terminal to have sent it to both), so they run in a process group of their
// own and the whole group is killed.
func StopTree(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
}
