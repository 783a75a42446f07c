package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/english"
	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/hints"
	"wscourse/tools/internal/lesson"
)

// maxMessageLines caps the failure message shown; the full output is one
// go test command away, and the report says which.
const maxMessageLines = 40

// printer writes a report where e says; watching: in watch mode, where
// saving a file reruns the tests.
type printer struct {
	*term.Env
	watching bool
}

// Print writes the report a student reads: every test in lesson order, then
// why the first failure failed and its hint, then what to do next.
func (r *Report) Print(e *term.Env, watching bool) {
	printer{e, watching}.report(r)
}

// FailureText is what Print writes for the failed test f, hint left out:
// the mistakes suite checks the very text a student reads.
func (r *Report) FailureText(e *term.Env, f *Entry) []string {
	var buf bytes.Buffer
	pe := *e
	pe.Stdout = &buf
	printer{Env: &pe}.failureMessage(r, f)
	var lines []string
	for _, line := range term.SplitLines(buf.String()) {
		if strings.TrimSpace(line) != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

func (e printer) report(r *Report) {
	w, l := e.Stdout, r.Lesson
	if r.RaceNote != "" {
		fmt.Fprintf(w, "%s\n\n", r.RaceNote)
	}
	if r.Result.BuildFailed {
		what, fix := "does not build", "the compiler errors"
		if r.Result.VetFailed {
			// go test runs part of go vet first and runs no test when it objects.
			what, fix = "does not pass go vet", "the problems go vet found"
		}
		fmt.Fprintf(w, "%s\n\n", e.Red(fmt.Sprintf("lesson %d (%s) %s, so no test could run.", l.Num, l.Name, what)))
		for _, line := range e.BuildErrors(l.Dir, r.Result.BuildOutput) {
			fmt.Fprintf(w, "    %s\n", line)
		}
		fmt.Fprintf(w, "\nlesson %d: %s; none of its %s could run\n\n", l.Num, what, english.Count(len(r.Entries), "test"))
		if e.watching {
			fmt.Fprintf(w, "Next: fix %s above; the tests run again when you save.\n", fix)
		} else {
			fmt.Fprintf(w, "Next: fix %s above, then run `make lesson-%d` again (or `make watch-%d` to rerun on every save).\n", fix, l.Num, l.Num)
		}
		return
	}
	fmt.Fprintf(w, "%s\n\n", e.Bold(fmt.Sprintf("lesson %d (%s)", l.Num, l.Name)))
	for _, en := range r.Entries {
		fmt.Fprintf(w, "  %s %s\n", e.statusWord(en.Status), en.Name)
	}
	fmt.Fprintln(w)
	if f := r.FirstFailure(); f != nil {
		e.failure(r, f)
	} else if len(r.Entries) == 0 || len(r.Result.PackageOutput) > 0 && r.Result.Failed {
		// Nothing failed by name, yet the run failed: show what go test said.
		for _, line := range r.Result.PackageOutput {
			fmt.Fprintf(w, "    %s\n", line)
		}
		fmt.Fprintln(w)
	}
	summary := fmt.Sprintf("lesson %d: %d passed, %d failed", l.Num, r.Count(gotest.Passed), r.Count(gotest.Failed))
	if k := r.Count(gotest.NotRun); k > 0 {
		summary += fmt.Sprintf(", %d not run", k)
	}
	if k := r.Count(gotest.Skipped); k > 0 {
		summary += fmt.Sprintf(", %d skipped", k)
	}
	fmt.Fprintln(w, summary)
	if r.Result.Cached {
		// go test caches only runs that passed, with the same code, tests
		// and flags: say so, or a flaky test's pass looks like a new one.
		fmt.Fprintln(w, e.Dim("(cached: go test showed the results of an earlier run, as nothing the tests depend on has changed since; "+
			"`go clean -testcache` makes the next run run every test afresh)"))
	}
	fmt.Fprintln(w)
	if r.Done() {
		fmt.Fprintln(w, e.Green(fmt.Sprintf("Lesson %d is done: every test passes.", l.Num))+" "+e.nextLesson(l))
		return
	}
	files := e.starterPaths(l, r.FirstFailure())
	if e.watching {
		fmt.Fprintf(w, "Next: edit %s; the tests run again when you save. `make hint-%d` shows every hint.\n", files, l.Num)
		return
	}
	fmt.Fprintf(w, "Next: edit %s, then run `make lesson-%d` again.\n", files, l.Num)
	fmt.Fprintf(w, "`make watch-%d` reruns the tests on every save; `make hint-%d` shows every hint.\n", l.Num, l.Num)
}

// failure shows why f failed, then its hint.
func (e printer) failure(r *Report, f *Entry) {
	e.failureMessage(r, f)
	if f.hinted {
		fmt.Fprintf(e.Stdout, "%s\n\n%s\n\n", e.Yellow("Hint:"), term.Indent(f.hint, "    "))
	} else {
		fmt.Fprintf(e.Stdout, "%s\n\n", e.Dim(fmt.Sprintf("(%s has no hint in %s)", f.Name, e.Rel(filepath.Join(r.Lesson.Dir, hints.FileName)))))
	}
}

// failureMessage shows why f failed: the likely cause first (a panic,
// a race), then the test's own messages.
func (e printer) failureMessage(r *Report, f *Entry) {
	w, l := e.Stdout, r.Lesson
	c, msg := splitCause(f.Test.Output, l.Dir, e.Rel)
	msg = term.TrimBlank(condenseTestify(msg))
	limit := timeoutAfter(msg)
	switch {
	case f.Test.Unfinished && limit != "":
		fmt.Fprintf(w, "%s did not finish within the %s limit: something waits forever (a read with no deadline? a lock never released?).\n\n",
			e.Bold(f.Name), limit)
	case f.Test.Unfinished:
		fmt.Fprintf(w, "%s crashed the test program before it could finish (the others were run again without it).\n\n", e.Bold(f.Name))
	case c != nil:
		fmt.Fprintf(w, "%s failed.\n\n", e.Bold(f.Name))
	default:
		fmt.Fprintf(w, "%s failed:\n\n", e.Bold(f.Name))
	}
	if c != nil {
		fmt.Fprintf(w, "%s\n\n", c.headline)
		e.message(r, f.Name, c.lines)
		if len(msg) > 0 {
			fmt.Fprint(w, "The test's other messages:\n\n")
		}
	} else if len(msg) == 0 {
		msg = []string{"(the test printed no message)"}
	}
	if len(msg) > 0 {
		e.message(r, f.Name, msg)
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

// message shows lines of a test's output indented, at most
// maxMessageLines of them, and a blank line after.
func (e printer) message(r *Report, test string, msg []string) {
	w, l := e.Stdout, r.Lesson
	// testify and panics name files by absolute path; show them as the
	// compiler errors are shown.
	abs, rel := l.Dir+string(filepath.Separator), e.Rel(l.Dir)+"/"
	more := 0
	if len(msg) > maxMessageLines {
		msg, more = msg[:maxMessageLines], len(msg)-maxMessageLines
	}
	for _, line := range msg {
		fmt.Fprintf(w, "    %s\n", strings.ReplaceAll(line, abs, rel))
	}
	if more > 0 {
		race := " -race"
		if r.RaceNote != "" {
			race = ""
		}
		fmt.Fprintf(w, "    ... %d more lines: cd %s && go test%s -run '^%s$' .\n", more, e.Rel(l.Dir), race, test)
	}
	fmt.Fprintln(w)
}

func (e printer) statusWord(s gotest.Status) string {
	word := fmt.Sprintf("%-8s", s.String())
	switch s {
	case gotest.Passed:
		return e.Green(word)
	case gotest.Failed:
		return e.Red(word)
	default:
		return e.Yellow(word)
	}
}

// starterPaths names the files a student edits, relative to where they
// stand: the one the first failure's message names, or else all of them.
func (e printer) starterPaths(l lesson.Lesson, first *Entry) string {
	files, err := l.StarterFiles()
	if err != nil || len(files) == 0 {
		return e.Rel(l.Dir)
	}
	if first != nil && first.Test != nil {
		// The first file the message names, where it names several ("look
		// at room.go: run, and client.go: writePump").
		for _, line := range first.Test.Output {
			at, name := -1, ""
			for _, f := range files {
				if i := mentionAt(line, f); i >= 0 && (at < 0 || i < at) {
					at, name = i, f
				}
			}
			if at >= 0 {
				return e.Rel(filepath.Join(l.Dir, name))
			}
		}
	}
	for i, f := range files {
		files[i] = e.Rel(filepath.Join(l.Dir, f))
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
func (e printer) nextLesson(l lesson.Lesson) string {
	all, err := lesson.List(e.Root)
	if err == nil {
		for _, o := range all {
			if o.Num > l.Num {
				return fmt.Sprintf("Next: `make lesson-%d` (%s).", o.Num, o.Name)
			}
		}
	}
	return "That is the last lesson so far; `make progress` shows them all."
}
