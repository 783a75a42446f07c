//go:build !unix

package gotest

import (
	"os/exec"
	"time"
)

// StopTree kills go test on cancel; without process groups its test binary
// ends when its own -timeout fires.
func StopTree(cmd *exec.Cmd) {
	cmd.WaitDelay = 5 * time.Second
}
