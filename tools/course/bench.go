package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/lesson"
)

// benchLesson is the lesson whose comparison `make bench` runs.
const benchLesson = 5

// cmdBench runs lesson 05's comparison of polling, long-polling, SSE and
// WebSocket (its cmd/compare) against the reference solution, or with -own
// against the student's code, and leaves the table and the chart in the
// lesson's results folder: the reference's there, tracked in git; the
// student's in results/own, which git ignores. Arguments after -- go to
// cmd/compare.
func cmdBench(ctx context.Context, e *env, args []string) int {
	fs := e.flagSet("bench")
	own := fs.Bool("own", false, "measure your own server instead of the reference solution")
	if err := fs.Parse(args); err != nil {
		return term.ExitUsage
	}
	l, err := lesson.Find(e.Root, benchLesson)
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return term.ExitUsage
	}
	tmp, err := os.MkdirTemp("", "course-bench-")
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return term.ExitFail
	}
	defer os.RemoveAll(tmp)
	s := e.NewStatus()
	defer s.Done()
	s.Phase("bench: building lesson 5's cmd/compare", term.BuildNote)
	bin, buildOut, err := lesson.BuildPackage(ctx, l.Dir, "./cmd/compare", filepath.Join(tmp, "compare"))
	if err != nil {
		s.Done()
		fmt.Fprintf(e.Stderr, "bench: building %s/cmd/compare: %v\n%s", e.Rel(l.Dir), err, buildOut)
		return term.ExitFail
	}
	// The tables name the server by its folder from the course's root,
	// wherever make runs.
	fromRoot := func(dir string) string {
		rel, err := filepath.Rel(e.Root, dir)
		if err != nil {
			return dir
		}
		return filepath.ToSlash(rel)
	}
	out := "results"
	compareArgs := []string{"-name", "the reference solution, " + fromRoot(l.SolutionDir), "-with", l.SolutionDir}
	if *own {
		out = filepath.Join("results", "own")
		compareArgs = []string{"-name", "your code, " + fromRoot(l.Dir)}
	}
	compareArgs = append(compareArgs, "-out", out)
	cmd := exec.Command(bin, append(compareArgs, fs.Args()...)...)
	cmd.Dir = l.Dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	lines := &benchLines{s: s, out: e.Stdout}
	cmd.Stdout, cmd.Stderr = lines, e.Stderr
	ownGroup(cmd) // Ctrl-C reaches it once, through runForwarding
	code := runForwarding(e, cmd)
	lines.flush()
	s.Done()
	if code != term.ExitOK {
		if *own && code == term.ExitFail {
			fmt.Fprintf(e.Stderr, "\nbench measures a server that works: once `make lesson-%d` passes, run `make bench ARGS=-own` again.\n", benchLesson)
		}
		return code
	}
	fmt.Fprintf(e.Stdout, "\nThe table and the chart are in %s.\n", e.Rel(filepath.Join(l.Dir, out)))
	return term.ExitOK
}

// benchRun matches cmd/compare's line after each measurement: "run 2/3 sse
// ...", and benchMemory its line after each memory reading: "memory ws ...".
var (
	benchRun    = regexp.MustCompile(`^run (\d+)/(\d+) (poll \S+|\S+)`)
	benchMemory = regexp.MustCompile(`^memory (\S+)`)
)

// benchLines passes cmd/compare's output on to out line by line, and keeps
// the status saying what it measures and about how long is left.
type benchLines struct {
	s   *term.Status
	out io.Writer

	mu       sync.Mutex
	part     []byte
	measured int
}

func (b *benchLines) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.part = append(b.part, p...)
	for {
		line, rest, ok := strings.Cut(string(b.part), "\n")
		if !ok {
			break
		}
		b.part = []byte(rest)
		b.s.Println(b.out, line)
		b.read(line)
	}
	return len(p), nil
}

// flush passes on a last line that had no newline.
func (b *benchLines) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.part) > 0 {
		b.s.Println(b.out, string(b.part))
		b.part = nil
	}
}

func (b *benchLines) read(line string) {
	switch {
	case strings.HasPrefix(line, "building the server: "):
		b.s.Phase("bench: building the server", term.BuildNote)
	case strings.HasPrefix(line, "about ") && strings.HasSuffix(line, " to go"):
		b.s.Phase("bench: measuring", "")
		b.s.Update("run 1, the first transport")
		if d, err := time.ParseDuration(strings.TrimSuffix(strings.TrimPrefix(line, "about "), " to go")); err == nil {
			b.s.ExpectIn(d)
		}
	default:
		if m := benchRun.FindStringSubmatch(line); m != nil {
			b.measured++
			b.s.Update(fmt.Sprintf("run %s/%s, %d measured (last: %s)", m[1], m[2], b.measured, m[3]))
		} else if m := benchMemory.FindStringSubmatch(line); m != nil {
			b.s.Update("memory per connection (last: " + m[1] + ")")
		}
	}
}
