//go:build unix

package main

import (
	"os/exec"
	"syscall"
	"time"
)

// stopGroup makes cancelling cmd end go test and the test binary it
// started, which go test does not stop itself: they run in a process group
// of their own, and the whole group is killed.
func stopGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
}
