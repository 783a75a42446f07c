//go:build unix

package main

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// ignoreBrokenPipe lets a write to a closed stdout fail instead of killing
// the runner, so `make hint-1 | head` ends quietly, with the runner's own
// exit status, rather than with make's "Broken pipe" error.
func ignoreBrokenPipe() {
	signal.Ignore(syscall.SIGPIPE)
}

// ownGroup puts the server in a process group of its own, so the terminal's
// Ctrl-C goes to the runner only, which forwards it once.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// forward passes a signal the runner received on to the server.
func forward(p *os.Process, sig os.Signal) {
	_ = p.Signal(sig) // an error means it has exited already
}
