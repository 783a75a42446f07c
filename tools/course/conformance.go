package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/conformance"
	"wscourse/tools/internal/lesson"
)

// echoPaths are the echo endpoints of the lessons whose servers echo.
var echoPaths = map[int][]string{1: {"/ws"}, 2: {"/ws", "/ws/coder"}}

// cmdConformance holds an echo server to the RFC 6455 cases of
// tools/internal/conformance: lesson N's server (your code, or with -ref the
// reference solution), built and started as run-N does, or with -url any
// server already running. It prints a summary per endpoint and writes
// report.md and report.json under results/conformance.
func cmdConformance(ctx context.Context, e *env, args []string) int {
	var l lesson.Lesson
	rest := args
	byURL := len(args) > 0 && strings.HasPrefix(args[0], "-")
	if !byURL {
		var ok bool
		if l, rest, ok = lessonArg(e, "conformance", args); !ok {
			return term.ExitUsage
		}
	}
	fs := e.flagSet("conformance")
	rawURL := fs.String("url", "", "an echo server's WebSocket `URL`, ws://host:port/path, instead of a lesson's")
	ref := fs.Bool("ref", false, "the reference solution's server instead of your code")
	only := fs.String("only", "", "only these cases: comma-separated IDs or prefixes, such as 6 or 7.2,1.1.3")
	timeout := fs.Duration("timeout", conformance.DefaultTimeout, "time allowed per case")
	out := fs.String("out", "", "`DIR` for the reports (default results/conformance/...)")
	if err := fs.Parse(rest); err != nil || !noMoreArgs(e, "conformance", fs.Args()) {
		return term.ExitUsage
	}
	opts := conformance.Options{Timeout: *timeout}
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	dir := func(name string) string {
		if *out != "" {
			return filepath.Join(*out, name)
		}
		return filepath.Join(e.Root, "results", "conformance", name)
	}
	switch {
	case byURL && *rawURL == "":
		fmt.Fprintln(e.Stderr, "conformance needs a lesson (conformance 1, conformance 2) or a server (-url ws://127.0.0.1:8080/ws)")
		return term.ExitUsage
	case byURL && *ref:
		fmt.Fprintln(e.Stderr, "conformance: -ref picks a lesson's reference solution; with -url the server is yours to start")
		return term.ExitUsage
	case byURL:
		return conformanceRuns(ctx, e, opts, []string{*rawURL}, func(string) string { return dir(conformance.DirName(*rawURL)) })
	case *rawURL != "":
		fmt.Fprintln(e.Stderr, "conformance: give a lesson or -url, not both")
		return term.ExitUsage
	case echoPaths[l.Num] == nil:
		fmt.Fprintf(e.Stderr, "conformance: lesson %d's server is not an echo server; the cases run on lessons 1 and 2, or on any echo server with -url\n", l.Num)
		return term.ExitUsage
	}
	name := fmt.Sprintf("lesson-%02d", l.Num)
	if *ref {
		name += "-ref"
	}
	return conformanceLesson(ctx, e, l, *ref, opts, func(path string) string {
		return dir(filepath.Join(name, conformance.DirName(path)))
	})
}

// conformanceLesson builds and starts lesson l's server on a free port, its
// own output going to server.log beside the reports, runs the cases on each
// of its echo endpoints, and stops it (SIGTERM, so it closes with 1001).
func conformanceLesson(ctx context.Context, e *env, l lesson.Lesson, ref bool, opts conformance.Options, dir func(path string) string) int {
	logDir := filepath.Dir(dir("/ws"))
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		fmt.Fprintln(e.Stderr, "conformance:", err)
		return term.ExitFail
	}
	logPath := filepath.Join(logDir, "server.log")
	log, err := os.Create(logPath)
	if err != nil {
		fmt.Fprintln(e.Stderr, "conformance:", err)
		return term.ExitFail
	}
	defer log.Close()

	found := make(chan string, 1)
	listening := &atomic.Bool{}
	sigs := make(chan os.Signal, 1)
	srv := *e
	srv.Stdout = &listenTap{w: log, found: found}
	// The build's messages go to the terminal; once the server listens,
	// its own lines (one per refused frame, say) go to the log.
	srv.Stderr = &untilListening{before: e.Stderr, after: log, listening: listening}
	srv.signals = sigs
	exited := make(chan int, 1)
	cmd := "run"
	if ref {
		cmd = "demo"
	}
	go func() { exited <- serveLesson(ctx, &srv, cmd, l, "127.0.0.1:0", nil, ref) }()

	var addr string
	select {
	case addr = <-found:
		listening.Store(true)
	case code := <-exited:
		fmt.Fprintf(e.Stderr, "conformance: lesson %d's server stopped before it listened; its output is in %s\n", l.Num, e.Rel(logPath))
		return max(code, term.ExitFail)
	case sig := <-e.signals:
		forwardTo(sigs, sig)
		return max(<-exited, term.ExitFail)
	}
	fmt.Fprintf(e.Stderr, "conformance: lesson %d's server listens on %s; its own output goes to %s\n", l.Num, addr, e.Rel(logPath))
	var urls []string
	for _, p := range echoPaths[l.Num] {
		urls = append(urls, "ws://"+addr+p)
	}
	code := conformanceRuns(ctx, e, opts, urls, func(u string) string { return dir(strings.TrimPrefix(u, "ws://"+addr)) })
	forwardTo(sigs, syscall.SIGTERM)
	if c := <-exited; c != term.ExitOK {
		fmt.Fprintf(e.Stderr, "conformance: lesson %d's server exited with status %d; its output is in %s\n", l.Num, c, e.Rel(logPath))
		code = max(code, term.ExitFail)
	}
	return code
}

// conformanceRuns runs the cases on each URL in turn, printing each
// summary and saving each report in dir(url). A signal stops the run.
func conformanceRuns(ctx context.Context, e *env, opts conformance.Options, urls []string, dir func(url string) string) int {
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	code := term.ExitOK
	for i, u := range urls {
		if i > 0 {
			fmt.Fprintln(e.Stdout)
		}
		opts.URL = u
		s := e.NewStatus()
		s.Phase("conformance: "+u, "")
		done := 0
		opts.Progress = func(c conformance.CaseResult) {
			done++
			s.Update(fmt.Sprintf("%d cases done, last %s", done, c.ID))
		}
		res, err := conformance.Run(ctx, opts)
		s.Done()
		if res == nil {
			fmt.Fprintln(e.Stderr, "conformance:", err)
			fmt.Fprintln(e.Stderr, "conformance: is an echo server listening there? Start one first, e.g. make run-1 in another terminal")
			return term.ExitFail
		}
		if err != nil {
			fmt.Fprintln(e.Stderr, "conformance: interrupted:", err)
			code = term.ExitFail
		}
		d := dir(u)
		if err := res.WriteSummary(e.Stdout); err != nil {
			fmt.Fprintln(e.Stderr, "conformance:", err)
			return term.ExitFail
		}
		if err := res.Save(d); err != nil {
			fmt.Fprintln(e.Stderr, "conformance:", err)
			return term.ExitFail
		}
		fmt.Fprintf(e.Stdout, "\nreports, each case with the bytes both ways where it did not pass: %s, %s\n", e.Rel(filepath.Join(d, "report.md")), e.Rel(filepath.Join(d, "report.json")))
		if res.Failed() {
			code = term.ExitFail
		}
		if ctx.Err() != nil {
			break
		}
	}
	return code
}

// untilListening writes to before until listening is set, then to after.
type untilListening struct {
	before, after io.Writer
	listening     *atomic.Bool
}

func (u *untilListening) Write(p []byte) (int, error) {
	if u.listening.Load() {
		return u.after.Write(p)
	}
	return u.before.Write(p)
}
