// Command course is the course runner behind every make target: it runs a
// lesson's tests and explains the first failure, watches for saves, shows
// hints, runs the student's or the reference server, shows progress, resets
// starter files, and checks the whole course (verify, lint, test).
//
// This package holds the commands, thin: commands.go's table names where
// each one's work is done. The report a student reads is
// internal/report's, the authors' checks are internal/check's, and what
// every command writes goes through internal/term.
//
// Run it from the repository root: go run ./tools/course help
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"wscourse/tools/course/internal/term"
)

func main() {
	ignoreBrokenPipe()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	e := &env{
		Env: term.Env{
			Cwd:        userDir(os.Getenv("COURSE_CWD")),
			Stdout:     os.Stdout,
			Stderr:     os.Stderr,
			Color:      isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb",
			LiveStatus: isTerminal(os.Stderr) && os.Getenv("TERM") != "dumb",
		},
		stdin:    os.Stdin,
		terminal: isTerminal(os.Stdout),
		canAsk:   isTerminal(os.Stdin),
		viaMake:  os.Getenv("MAKELEVEL") != "",
		signals:  sigs,
	}
	os.Exit(run(context.Background(), e, os.Args[1:]))
}
