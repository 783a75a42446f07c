package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"wscourse/tools/internal/english"
	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/hints"
	"wscourse/tools/internal/lesson"
)

// maxMessageLines caps the failure message shown; the full output is one
// go test command away, and the report says which.
const maxMessageLines = 40

func cmdLesson(ctx context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "lesson", args)
	if !ok || !noMoreArgs(e, "lesson", rest) {
		return exitUsage
	}
	ctx, cancel := e.interruptible(ctx)
	defer cancel()
	return lessonOnce(ctx, e, l)
}

// lessonOnce tests the lesson and prints the report; lesson and watch share it.
func lessonOnce(ctx context.Context, e *env, l lesson.Lesson) int {
	// A first run downloads modules and builds the race detector's
	// runtime, which takes up to a minute: say what is going on, on stderr,
	// and erase it before the report.
	s := e.newStatus()
	r, err := testLesson(ctx, l, e.timeout, s)
	s.done()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return exitFail
		}
		fmt.Fprintf(e.stdout, "lesson %d: could not run the tests.\n\n%s\n", l.Num, indent(err.Error(), "    "))
		return exitFail
	}
	e.printReport(r)
	if r.done() {
		return exitOK
	}
	return exitFail
}

func (e *env) printReport(r *report) {
	w, l := e.stdout, r.lesson
	if r.raceNote != "" {
		fmt.Fprintf(w, "%s\n\n", r.raceNote)
	}
	if r.res.BuildFailed {
		what, fix := "does not build", "the compiler errors"
		if r.res.VetFailed {
			// go test runs part of go vet first and runs no test when it objects.
			what, fix = "does not pass go vet", "the problems go vet found"
		}
		fmt.Fprintf(w, "%s\n\n", e.red(fmt.Sprintf("lesson %d (%s) %s, so no test could run.", l.Num, l.Name, what)))
		for _, line := range e.buildErrors(l.Dir, r.res.BuildOutput) {
			fmt.Fprintf(w, "    %s\n", line)
		}
		fmt.Fprintf(w, "\nlesson %d: %s; none of its %s could run\n\n", l.Num, what, english.Count(len(r.entries), "test"))
		if e.watching {
			fmt.Fprintf(w, "Next: fix %s above; the tests run again when you save.\n", fix)
		} else {
			fmt.Fprintf(w, "Next: fix %s above, then run `make lesson-%d` again (or `make watch-%d` to rerun on every save).\n", fix, l.Num, l.Num)
		}
		return
	}
	fmt.Fprintf(w, "%s\n\n", e.bold(fmt.Sprintf("lesson %d (%s)", l.Num, l.Name)))
	for _, en := range r.entries {
		fmt.Fprintf(w, "  %s %s\n", e.statusWord(en.status), en.name)
	}
	fmt.Fprintln(w)
	if f := r.firstFailure(); f != nil {
		e.printFailure(r, f)
	} else if len(r.entries) == 0 || len(r.res.PackageOutput) > 0 && r.res.Failed {
		// Nothing failed by name, yet the run failed: show what go test said.
		for _, line := range r.res.PackageOutput {
			fmt.Fprintf(w, "    %s\n", line)
		}
		fmt.Fprintln(w)
	}
	summary := fmt.Sprintf("lesson %d: %d passed, %d failed", l.Num, r.count(gotest.Passed), r.count(gotest.Failed))
	if k := r.count(gotest.NotRun); k > 0 {
		summary += fmt.Sprintf(", %d not run", k)
	}
	if k := r.count(gotest.Skipped); k > 0 {
		summary += fmt.Sprintf(", %d skipped", k)
	}
	fmt.Fprintln(w, summary)
	if r.res.Cached {
		// go test caches only runs that passed, with the same code, tests
		// and flags: say so, or a flaky test's pass looks like a new one.
		fmt.Fprintln(w, e.dim("(cached: go test showed the results of an earlier run, as nothing the tests depend on has changed since; "+
			"`go clean -testcache` makes the next run run every test afresh)"))
	}
	fmt.Fprintln(w)
	if r.done() {
		fmt.Fprintln(w, e.green(fmt.Sprintf("Lesson %d is done: every test passes.", l.Num))+" "+e.nextLesson(l))
		return
	}
	files := e.starterPaths(l, r.firstFailure())
	if e.watching {
		fmt.Fprintf(w, "Next: edit %s; the tests run again when you save. `make hint-%d` shows every hint.\n", files, l.Num)
		return
	}
	fmt.Fprintf(w, "Next: edit %s, then run `make lesson-%d` again.\n", files, l.Num)
	fmt.Fprintf(w, "`make watch-%d` reruns the tests on every save; `make hint-%d` shows every hint.\n", l.Num, l.Num)
}

// printFailure shows why f failed, then its hint.
func (e *env) printFailure(r *report, f *entry) {
	e.printFailureMessage(r, f)
	if f.hinted {
		fmt.Fprintf(e.stdout, "%s\n\n%s\n\n", e.yellow("Hint:"), indent(f.hint, "    "))
	} else {
		fmt.Fprintf(e.stdout, "%s\n\n", e.dim(fmt.Sprintf("(%s has no hint in %s)", f.name, e.rel(filepath.Join(r.lesson.Dir, hints.FileName)))))
	}
}

// printFailureMessage shows why f failed: the likely cause first (a panic,
// a race), then the test's own messages.
func (e *env) printFailureMessage(r *report, f *entry) {
	w, l := e.stdout, r.lesson
	c, msg := splitCause(f.test.Output, l.Dir, e.rel)
	msg = trimBlank(condenseTestify(msg))
	limit := timeoutAfter(msg)
	switch {
	case f.test.Unfinished && limit != "":
		fmt.Fprintf(w, "%s did not finish within the %s limit: something waits forever (a read with no deadline? a lock never released?).\n\n",
			e.bold(f.name), limit)
	case f.test.Unfinished:
		fmt.Fprintf(w, "%s crashed the test program before it could finish (the others were run again without it).\n\n", e.bold(f.name))
	case c != nil:
		fmt.Fprintf(w, "%s failed.\n\n", e.bold(f.name))
	default:
		fmt.Fprintf(w, "%s failed:\n\n", e.bold(f.name))
	}
	if c != nil {
		fmt.Fprintf(w, "%s\n\n", c.headline)
		e.printMessage(r, f.name, c.lines)
		if len(msg) > 0 {
			fmt.Fprint(w, "The test's other messages:\n\n")
		}
	} else if len(msg) == 0 {
		msg = []string{"(the test printed no message)"}
	}
	if len(msg) > 0 {
		e.printMessage(r, f.name, msg)
	}
}

// timedOutAfter finds the testing package's "test timed out after 2m0s".
var timedOutAfter = regexp.MustCompile(`test timed out after (\S+)`)

// timeoutAfter is the -timeout a test ran out of, from its output, or "".
func timeoutAfter(lines []string) string {
	for _, l := range lines {
		if m := timedOutAfter.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	return ""
}

// printMessage shows lines of a test's output indented, at most
// maxMessageLines of them, and a blank line after.
func (e *env) printMessage(r *report, test string, msg []string) {
	w, l := e.stdout, r.lesson
	// testify and panics name files by absolute path; show them as the
	// compiler errors are shown.
	abs, rel := l.Dir+string(filepath.Separator), e.rel(l.Dir)+"/"
	more := 0
	if len(msg) > maxMessageLines {
		msg, more = msg[:maxMessageLines], len(msg)-maxMessageLines
	}
	for _, line := range msg {
		fmt.Fprintf(w, "    %s\n", strings.ReplaceAll(line, abs, rel))
	}
	if more > 0 {
		race := " -race"
		if r.raceNote != "" {
			race = ""
		}
		fmt.Fprintf(w, "    ... %d more lines: cd %s && go test%s -run '^%s$' .\n", more, e.rel(l.Dir), race, test)
	}
	fmt.Fprintln(w)
}

func (e *env) statusWord(s gotest.Status) string {
	word := fmt.Sprintf("%-8s", s.String())
	switch s {
	case gotest.Passed:
		return e.green(word)
	case gotest.Failed:
		return e.red(word)
	default:
		return e.yellow(word)
	}
}

// starterPaths names the files a student edits, relative to where they
// stand: the one the first failure's message names, or else all of them.
func (e *env) starterPaths(l lesson.Lesson, first *entry) string {
	files, err := l.StarterFiles()
	if err != nil || len(files) == 0 {
		return e.rel(l.Dir)
	}
	if first != nil && first.test != nil {
		// The first file the message names, where it names several ("look
		// at room.go: run, and client.go: writePump").
		for _, line := range first.test.Output {
			at, name := -1, ""
			for _, f := range files {
				if i := mentionAt(line, f); i >= 0 && (at < 0 || i < at) {
					at, name = i, f
				}
			}
			if at >= 0 {
				return e.rel(filepath.Join(l.Dir, name))
			}
		}
	}
	for i, f := range files {
		files[i] = e.rel(filepath.Join(l.Dir, f))
	}
	return strings.Join(files, ", ")
}

// mentionAt returns where line first names the file name on its own, not
// as part of a longer name such as echo_test.go for echo.go, or -1.
func mentionAt(line, name string) int {
	for off := 0; ; {
		i := strings.Index(line[off:], name)
		if i < 0 {
			return -1
		}
		i += off
		before := i == 0 || !isNameByte(line[i-1])
		after := i+len(name) == len(line) || !isNameByte(line[i+len(name)])
		if before && after {
			return i
		}
		off = i + len(name)
	}
}

func isNameByte(b byte) bool {
	return b == '_' || b == '-' || b == '.' ||
		'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// nextLesson says what to do after finishing l.
func (e *env) nextLesson(l lesson.Lesson) string {
	all, err := lesson.List(e.root)
	if err == nil {
		for _, o := range all {
			if o.Num > l.Num {
				return fmt.Sprintf("Next: `make lesson-%d` (%s).", o.Num, o.Name)
			}
		}
	}
	return "That is the last lesson so far; `make progress` shows them all."
}
