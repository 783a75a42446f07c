package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/lesson"
)

// defaultAddr is every lesson server's own default.
const defaultAddr = "127.0.0.1:8080"

func cmdRun(ctx context.Context, e *env, args []string) int { return serve(ctx, e, "run", args, false) }
func cmdDemo(ctx context.Context, e *env, args []string) int {
	return serve(ctx, e, "demo", args, true)
}

// serve builds lesson N's server (the student's code, or with solution the
// reference solution staged in a temporary folder) and runs the binary
// directly, forwarding SIGINT and SIGTERM, so the server's own graceful
// shutdown runs and its exit status becomes ours.
func serve(ctx context.Context, e *env, cmd string, args []string, solution bool) int {
	l, rest, ok := lessonArg(e, cmd, args)
	if !ok {
		return term.ExitUsage
	}
	fs := e.flagSet(cmd)
	addr := fs.String("addr", defaultAddr, "address the server listens on")
	if err := fs.Parse(rest); err != nil {
		return term.ExitUsage
	}
	if l.Num == clusterLesson && len(fs.Args()) == 0 {
		return serveCluster(ctx, e, cmd, l, *addr, solution)
	}
	return serveLesson(ctx, e, cmd, l, *addr, fs.Args(), solution)
}

// serveLesson is serve once the arguments are read: the server of l listens
// on addr and gets serverArgs too.
func serveLesson(ctx context.Context, e *env, cmd string, l lesson.Lesson, addr string, serverArgs []string, solution bool) int {
	b, ok := buildServer(ctx, e, cmd, l, solution)
	if !ok {
		return term.ExitFail
	}
	defer b.remove()
	srv := exec.Command(b.bin, append([]string{"-addr", addr}, serverArgs...)...)
	srv.Dir = b.dir
	srv.Stdout, srv.Stderr = e.Stdout, e.Stderr // no stdin: it runs outside the terminal's group
	ownGroup(srv)
	return runForwarding(e, srv)
}

// built is a lesson's server, built in a temporary folder.
type built struct {
	tmp string // the temporary folder, which remove deletes
	dir string // the lesson's code: the student's, or the staged solution
	bin string
}

func (b built) remove() { os.RemoveAll(b.tmp) }

// buildServer builds lesson l's server (the student's code, or with
// solution the reference solution staged in a temporary folder), saying so
// on stderr, and what went wrong if it does not build.
func buildServer(ctx context.Context, e *env, cmd string, l lesson.Lesson, solution bool) (built, bool) {
	tmp, err := os.MkdirTemp("", "course-"+cmd+"-")
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return built{}, false
	}
	b := built{tmp: tmp, dir: l.Dir}
	what := "your code in " + e.Rel(l.Dir)
	if solution {
		b.dir, what = filepath.Join(tmp, "src"), "the reference solution of "+l.Name
		if err := l.StageSolution(b.dir); err != nil {
			fmt.Fprintln(e.Stderr, err)
			b.remove()
			return built{}, false
		}
	}
	fmt.Fprintf(e.Stderr, "building lesson %d (%s)...\n", l.Num, what)
	s := e.NewStatus() // a first build is long and go says nothing meanwhile
	s.Phase(fmt.Sprintf("lesson %d: building", l.Num), term.BuildNote)
	bin, out, err := lesson.Build(ctx, b.dir, filepath.Join(tmp, "server"))
	s.Done()
	if err != nil {
		fmt.Fprintf(e.Stderr, "lesson %d does not build:\n\n", l.Num)
		lines := term.SplitLines(string(out))
		if solution {
			lines = term.Relabel(lines, b.dir, func(f string) string { return l.Name + "/" + f })
		} else {
			lines = e.BuildErrors(b.dir, lines)
		}
		for _, line := range lines {
			fmt.Fprintf(e.Stderr, "    %s\n", line)
		}
		b.remove()
		return built{}, false
	}
	b.bin = bin
	return b, true
}

// runForwarding starts cmd and waits for it, passing on every signal that
// arrives meanwhile. The server is in a process group of its own (where the
// system has them), so a Ctrl-C reaches it once, through us.
func runForwarding(e *env, cmd *exec.Cmd) int {
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(e.Stderr, err)
		return term.ExitFail
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			return exitStatus(e.Stderr, err)
		case sig := <-e.signals:
			forward(cmd.Process, sig)
		}
	}
}

func exitStatus(w io.Writer, err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return term.ExitOK
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default:
		fmt.Fprintln(w, "server:", err)
		return term.ExitFail
	}
}
