package check

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/report"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/gotest"
	"wscourse/tools/internal/lesson"
	"wscourse/tools/internal/mistakes"
)

// assertMistakeLines checks what verify says of the fixture lessons 05 and
// 06 (all mistakes caught; every way a mistake can fail its check).
// TestVerify calls it on its output, so that the fixture is verified once.
func assertMistakeLines(t *testing.T, out string) {
	t.Helper()
	coursetest.AssertInOrder(t, out,
		"ok   05-caught  ", "10 mistakes caught, ",
		"FAIL 06-missed  mistakes.md has 8 mistakes, want at least 10; "+
			`README.md's Mistakes section does not name "Reported under the wrong test", "Message lacks a word", "Too slow", "Does not build", "Replace text not found", "Hangs"; `+
			`solutions/06-missed/mistakes.md:132: "Replace text not found": the replace text is not in half.go; `+
			`6 of 7 mistakes not reported as mistakes.md says ("Passes every test", "Reported under the wrong test", "Message lacks a word", "Too slow", "Does not build", "Hangs")`,
		"1 mistake caught, ",
		"      mistakes (",
		"      ok   Caught as written: TestHalf, ",
		"      FAIL Passes every test: passed every test\n",
		"      FAIL Reported under the wrong test: reported first under TestEven, want TestHalf\n",
		"           TestEven failed:\n",
		"               half_test.go:20: Even(4) = false, want true\n",
		"      FAIL Message lacks a word: the message lacks \"rounded down\"\n",
		"           TestHalf failed:\n",
		"               half_test.go:9: Half(4) = 1, want 2\n",
		"      FAIL Too slow: TestHalf took ", "s to fail, limit 1ms (failed at ", "s; whole run ", "s)\n",
		"      FAIL Does not build: does not build\n",
		"           lessons/06-missed/half.go:5:9: undefined: m\n",
		"      FAIL Hangs: ")
	// go test's -timeout, not the backstop, ends the mistake that hangs.
	if !regexp.MustCompile(`(?m)^      FAIL Hangs: TestHalf took \d+\.\ds to fail, limit 1ms \(failed at \d+\.\ds; whole run \d+\.\ds\)$`).MatchString(out) {
		t.Errorf("the mistake that hangs is not reported as a run that took too long; output:\n%s", out)
	}
	if strings.Contains(out, "ok   05-caught  ") && strings.Contains(out, "05-caught  1 of") {
		t.Error("05-caught is both ok and failing")
	}
}

// solutionWith is lesson 05 of the fixture with a solution folder of its
// own: the solution's calc.go and the given mistakes.md.
func solutionWith(t *testing.T, mistakesMD string) lesson.Lesson {
	t.Helper()
	l := coursetest.MustLesson(t, coursetest.Fixture(t), 5)
	dir := t.TempDir()
	coursetest.WriteFile(t, filepath.Join(dir, "calc.go"), coursetest.ReadFile(t, filepath.Join(l.SolutionDir, "calc.go")))
	coursetest.WriteFile(t, filepath.Join(dir, "mistakes.md"), mistakesMD)
	l.SolutionDir = dir
	return l
}

func TestMistakesParseErrors(t *testing.T) {
	t.Parallel()
	v := &verdict{lesson: solutionWith(t, "# Mistakes: 05-caught\n\n## Bare\n\n- test: TestGreet\n")}
	v.checkMistakes(t.Context())
	want := []string{
		`solutions/05-caught/mistakes.md:3: "Bare": no description: say in a sentence or two what the student got wrong and what it breaks`,
		`solutions/05-caught/mistakes.md:3: "Bare": no "- file:" in its list`,
		`solutions/05-caught/mistakes.md:3: "Bare": no "- says:" in its list`,
		`solutions/05-caught/mistakes.md:3: "Bare": no replace and with blocks: the mistake changes nothing`,
	}
	if !slices.Equal(v.problems, want) {
		t.Errorf("problems =\n  %s\nwant\n  %s", strings.Join(v.problems, "\n  "), strings.Join(want, "\n  "))
	}
	if len(v.details) > 0 || len(v.held) > 0 {
		t.Errorf("a mistakes.md that does not parse ran mistakes: held %q, details %q", v.held, v.details)
	}
}

// The checks that need no run: the heading, the count, the README, the
// test and file each mistake names, and edits that cannot be made. With a
// failing solution, nothing runs.
func TestMistakesContent(t *testing.T) {
	t.Parallel()
	one := func(title, file, test, replace string) string {
		return "## " + title + "\n\nWrong.\n\n- file: " + file + "\n- test: " + test + "\n- says: x\n\n" +
			"```go replace\n" + replace + "```\n\n```go with\n\tpanic(1)\n```\n\n"
	}
	l := solutionWith(t, "# Mistakes: 04-nohint\n\n"+
		one("No comma in the greeting", "calc.go", "TestGreet", "\treturn \"hello, \" + name\n")+
		one("Not a test", "calc.go", "TestNothing", "\treturn \"hello, \" + name\n")+
		one("No such file", "nothing.go", "TestGreet", "x\n")+
		one("Found twice", "calc.go", "TestGreet", "}\n")+
		one("Given file", "main.go", "TestVersion", "func main() {}\n"))
	v := &verdict{lesson: l, problems: []string{"solution fails TestGreet (with -race)"}, solutionFailed: true}
	v.checkMistakes(t.Context())
	want := []string{
		"solution fails TestGreet (with -race)",
		`solutions/05-caught/mistakes.md is headed "# Mistakes: 04-nohint", want "# Mistakes: 05-caught"`,
		"mistakes.md has 5 mistakes, want at least 10",
		`README.md's Mistakes section does not name "Not a test", "No such file", "Found twice", "Given file"`,
		`solutions/05-caught/mistakes.md:19: "Not a test": TestNothing is not a test of the lesson`,
		`solutions/05-caught/mistakes.md:35: "No such file": nothing.go is a file of neither solutions/05-caught nor lessons/05-caught`,
		`solutions/05-caught/mistakes.md:59: "Found twice": the replace text occurs 6 times in calc.go; quote more lines so that it occurs once`,
	}
	if !slices.Equal(v.problems, want) {
		t.Errorf("problems =\n  %s\nwant\n  %s", strings.Join(v.problems, "\n  "), strings.Join(want, "\n  "))
	}
	if want := []string{"mistakes not run: they are edits of a solution that must pass first"}; !slices.Equal(v.details, want) {
		t.Errorf("details = %q, want %q", v.details, want)
	}
}

func TestMistakesMissing(t *testing.T) {
	t.Parallel()
	l := coursetest.MustLesson(t, coursetest.Fixture(t), 1)
	v := &verdict{lesson: l}
	v.checkMistakes(t.Context())
	if want := []string{"no solutions/01-good/mistakes.md: list the mistakes students make"}; !slices.Equal(v.problems, want) {
		t.Errorf("problems = %q, want %q", v.problems, want)
	}
}

func TestLacking(t *testing.T) {
	text := []string{"TestX failed:", "    x_test.go:3: the Write", "    Deadline passed"}
	got := lacking(text, []string{"write deadline", "WRITE   DEADLINE passed", "x failed", "read deadline"})
	if want := []string{"read deadline"}; !slices.Equal(got, want) {
		t.Errorf("lacking = %q, want %q: case and line breaks do not count", got, want)
	}
}

// A run stopped by the backstop, or one go test could not start, has no
// report to judge.
func TestJudgeWithoutReport(t *testing.T) {
	m := mistakes.Mistake{Title: "Hangs hard", Test: "TestX", Limit: 10 * time.Second}
	for _, c := range []struct {
		err  error
		want []string
	}{
		{context.DeadlineExceeded, []string{"FAIL Hangs hard: the whole run took over 100.0s and was stopped (the limit: 10s after the solution's tests)"}},
		{errors.New("go test in /tmp/x: go.mod: no such file\nsecond line"),
			[]string{"FAIL Hangs hard: go test did not run", "     go test in /tmp/x: go.mod: no such file", "     second line"}},
	} {
		o := &outcome{trial: trial{mistake: m}, whole: stopAfter(m.Limit, 0)}
		o.judge(&term.Env{}, nil, c.err)
		if got := o.lines(); !slices.Equal(got, c.want) {
			t.Errorf("judge(%v): lines %q, want %q", c.err, got, c.want)
		}
	}
	ok := &outcome{trial: trial{mistake: m}, first: "TestX", took: 3140 * time.Millisecond, late: 1200 * time.Millisecond, whole: 9 * time.Second}
	if got, want := ok.lines(), []string{"ok   Hangs hard: TestX, 1.2s (failed at 3.1s; whole run 9.0s)"}; !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
}

// A limit bounds how long the reported test ran until it failed, from go
// test's events: the build, however slow on a busy machine, is not in it,
// nor are the tests before it, which a busy machine slows most. The whole
// run is bounded by testTimeout and stopAfter.
func TestJudgeTestTime(t *testing.T) {
	m := mistakes.Mistake{Title: "Slow build", Test: "TestX", Says: []string{"want 2"}, Limit: 10 * time.Second}
	reportOf := func(started, ended, ran time.Duration) *report.Report {
		x := &gotest.Test{Name: "TestX", Status: gotest.Failed, Started: started, Ended: ended, Output: []string{"x_test.go:3: got 1, want 2"}}
		y := &gotest.Test{Name: "TestY", Status: gotest.Passed, Started: ended, Ended: ran}
		res := &gotest.Result{Tests: []*gotest.Test{x, y}, Failed: true, Ran: ran}
		return &report.Report{Result: res, Entries: []report.Entry{{Name: "TestX", Status: x.Status, Test: x}, {Name: "TestY", Status: y.Status, Test: y}}}
	}
	for _, c := range []struct {
		name                       string
		started, ended, ran, whole time.Duration
		want                       string
	}{
		{"a slow build", 0, 2 * time.Second, 2500 * time.Millisecond, 35 * time.Second,
			"ok   Slow build: TestX, 2.0s (failed at 2.0s; whole run 35.0s)"},
		{"a test over the limit, later tests left out", 0, 11 * time.Second, 12 * time.Second, 13 * time.Second,
			"FAIL Slow build: TestX took 11.0s to fail, limit 10s (failed at 11.0s; whole run 13.0s)"},
		{"at the limit", 0, 10 * time.Second, 10 * time.Second, 12 * time.Second,
			"ok   Slow build: TestX, 10.0s (failed at 10.0s; whole run 12.0s)"},
		{"a later test: the tests before it do not count", 4 * time.Second, 13 * time.Second, 13 * time.Second, 15 * time.Second,
			"ok   Slow build: TestX, 9.0s (failed at 13.0s; whole run 15.0s)"},
		{"a later test over the limit", 4 * time.Second, 14100 * time.Millisecond, 15 * time.Second, 16 * time.Second,
			"FAIL Slow build: TestX took 10.1s to fail, limit 10s (failed at 14.1s; whole run 16.0s)"},
		// A stream without times leaves the whole run to go by.
		{"no times", 0, 0, 0, 10500 * time.Millisecond,
			"FAIL Slow build: TestX took 10.5s to fail, limit 10s (failed at 10.5s; whole run 10.5s)"},
	} {
		o := &outcome{trial: trial{mistake: m}, whole: c.whole}
		o.judge(&term.Env{}, reportOf(c.started, c.ended, c.ran), nil)
		if got := o.lines(); len(got) == 0 || got[0] != c.want {
			t.Errorf("%s: lines %q, want %q first", c.name, got, c.want)
		}
	}
}

// go test's -timeout is the solution's run and a bit over the limit; the
// whole run's backstop is generous, there only to end hangs: ten times the
// limit, and at least a minute over the -timeout.
func TestStopAfter(t *testing.T) {
	for _, c := range []struct{ limit, ran, timeout, stop time.Duration }{
		{10 * time.Second, 0, 15 * time.Second, 100 * time.Second},
		{10 * time.Second, 8 * time.Second, 23 * time.Second, 100 * time.Second},
		{time.Millisecond, 0, 2001 * time.Millisecond, 62001 * time.Millisecond},
		{30 * time.Second, 0, 45 * time.Second, 300 * time.Second},
		{10 * time.Second, 50 * time.Second, 65 * time.Second, 125 * time.Second},
	} {
		if got := testTimeout(c.limit, c.ran); got != c.timeout {
			t.Errorf("testTimeout(%v, %v) = %v, want %v", c.limit, c.ran, got, c.timeout)
		}
		if got := stopAfter(c.limit, c.ran); got != c.stop {
			t.Errorf("stopAfter(%v, %v) = %v, want %v", c.limit, c.ran, got, c.stop)
		}
	}
}
