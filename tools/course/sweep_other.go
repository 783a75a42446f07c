//go:build !unix

package main

import (
	"os/exec"
	"time"
)

// stopGroup lets cancelling cmd kill go test; without process groups the
// test binary it started may run on until it ends.
func stopGroup(cmd *exec.Cmd) {
	cmd.WaitDelay = 5 * time.Second
}
