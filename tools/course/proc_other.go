//go:build !unix

package main

import (
	"os"
	"os/exec"
)

// ignoreBrokenPipe does nothing: there is no SIGPIPE.
func ignoreBrokenPipe() {}

// ownGroup does nothing where there are no process groups.
func ownGroup(*exec.Cmd) {}

// forward does nothing: on Windows the console sends Ctrl-C to the server as
// well, and a process cannot be sent an interrupt.
func forward(*os.Process, os.Signal) {}
