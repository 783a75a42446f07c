// Command course is the course runner behind every make target: it runs a
// lesson's tests and explains the first failure, watches for saves, shows
// hints, runs the student's or the reference server, shows progress, resets
// starter files, and checks the whole course (verify, lint, test).
//
// Run it from the repository root: go run ./tools/course help
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ignoreBrokenPipe()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	e := &env{
		cwd:        userDir(os.Getenv("COURSE_CWD")),
		stdin:      os.Stdin,
		stdout:     os.Stdout,
		stderr:     os.Stderr,
		color:      isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb",
		terminal:   isTerminal(os.Stdout),
		liveStatus: isTerminal(os.Stderr) && os.Getenv("TERM") != "dumb",
		canAsk:     isTerminal(os.Stdin),
		viaMake:    os.Getenv("MAKELEVEL") != "",
		signals:    sigs,
	}
	os.Exit(run(context.Background(), e, os.Args[1:]))
}
