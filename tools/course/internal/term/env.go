// Package term is what every command of the course runner sees of the
// terminal: where its output goes, whether it is in colour, paths shown
// relative to where the user stands, the status line of a long wait and
// the exit statuses. The commands (package main), the report and the
// authors' checks all write through it, so they look alike.
package term

import "io"

// Env is where a command writes, so that tests can give it a fixture course
// and buffers for its output.
type Env struct {
	Root   string // course root
	Cwd    string // paths are shown relative to it; the working directory when empty
	Stdout io.Writer
	Stderr io.Writer
	Color  bool // stdout is a terminal and NO_COLOR is unset
	// LiveStatus: stderr is a terminal that can go back to the start of a
	// line, so progress is one line rewritten rather than plain lines.
	LiveStatus bool
}

// Exit statuses of every command.
const (
	ExitOK    = 0
	ExitFail  = 1 // a test, a check or the server failed
	ExitUsage = 2 // the command line or the course is wrong
)
