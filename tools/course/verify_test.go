package main

import (
	"path/filepath"
	"strings"
	"testing"

	"wscourse/tools/internal/lesson"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	// In a repository of its own, so that the starters are the committed ones
	// whatever the state of the course's own checkout.
	code, out := runCmd(t, gitFixture(t), "verify")
	if code != exitFail {
		t.Errorf("exit status %d, want %d: three fixture lessons are wrong", code, exitFail)
	}
	// Each line is checked in parts, so that a check added to a lesson's line
	// leaves these as they are.
	assertInOrder(t, out,
		"ok   shared files: Makefile (2 lessons)\n",
		"01-good    ", "content complete; starter fails 2 of 3 tests; solution passes 3 tests with -race",
		"FAIL 02-done    starter passes every test (2): a student has nothing to do",
		"content complete; solution passes 2 tests with -race",
		"FAIL 03-broken  starter does not build", "content complete; solution passes 1 test with -race",
		"lessons/03-broken/broken.go:8:9: undefined: undefinedName",
		"FAIL 04-nohint  a hint for TestGhost, which is not a test; no hint for TestOrphan",
		"starter fails 1 of 2 tests; solution passes 2 tests with -race",
		"\nverify: ")
	assertMistakeLines(t, out)
	if strings.Contains(out, "03-broken  starter does not build; starter fails") {
		t.Error("a starter that does not build also counts as failing tests")
	}
}

// A starter that passes every test is a worked lesson when its files are not
// the committed ones, and verify says so rather than blame the lesson.
func TestVerifyWorkedStarter(t *testing.T) {
	t.Parallel()
	root := gitFixture(t)
	l := mustLesson(t, root, 1)
	writeFile(t, filepath.Join(l.Dir, "greet.go"), readFile(t, filepath.Join(l.SolutionDir, "greet.go")))
	v := &verdict{lesson: l}
	v.checkStarter(t.Context())
	assertInOrder(t, strings.Join(v.problems, "; "),
		"the starter files (greet.go) differ from the committed ones and pass every test: this looks like a finished lesson, not a starter.",
		"run them in a fresh clone (your own progress: `make progress`)")

	// Without git there is no telling.
	v = &verdict{lesson: mustLesson(t, fixtureCopy(t), 2)}
	v.checkStarter(t.Context())
	assertInOrder(t, strings.Join(v.problems, "; "),
		"starter passes every test (2), and git cannot tell whether its files (done.go) are the committed ones",
		"if they are, a student has nothing to do; if they are your own work, `make verify` and `make test` check the course itself")
}

func TestContentProblems(t *testing.T) {
	root := fixtureCopy(t)
	l := mustLesson(t, root, 1)
	writeFile(t, l.Dir+"/greet.go", "package main\n\nfunc Greet(string) string { return \"\" }\n\nfunc Shout(string) string { return \"\" }\n")
	removeFile(t, l.Dir+"/README.md")
	removeFile(t, l.Dir+"/static/index.html")
	writeFile(t, l.Dir+"/hints.md", "# Hints\n\n## TestFirst\n\nx\n\n## TestFirst\n\ny\n\n## TestSecond\n\n## TestThird\n\nz\n")
	got := strings.Join(contentProblems(l), "; ")
	want := "no README.md; no static/index.html; two hints for TestFirst; the hint for TestSecond is empty; starter file greet.go has no TODO: marker"
	if got != want {
		t.Errorf("contentProblems =\n  %s\nwant\n  %s", got, want)
	}
}

func TestShared(t *testing.T) {
	t.Parallel()
	root := fixtureCopy(t)
	all, err := lesson.List(root)
	if err != nil {
		t.Fatal(err)
	}
	c, err := checkShared(all)
	if err != nil || c.held != "Makefile (2 lessons)" || len(c.problems) > 0 {
		t.Fatalf("checkShared on the fixture = %+v, %v; want Makefile (2 lessons) and no problem", c, err)
	}

	// A third copy, the same: the odd one out is named against the others.
	// A copy without the tag differs on its first line.
	lessonFile := func(n int, name string) string { return filepath.Join(all[n-1].Dir, name) }
	makefile := readFile(t, lessonFile(1, "Makefile"))
	writeFile(t, lessonFile(4, "Makefile"), makefile)
	writeFile(t, lessonFile(2, "Makefile"), strings.Replace(makefile, ".DEFAULT_GOAL := help", ".DEFAULT_GOAL := lesson", 1))
	writeFile(t, lessonFile(1, "origin.go"), "// course:shared: the same everywhere.\npackage main\n")
	writeFile(t, lessonFile(4, "origin.go"), "package main\n")
	c, err = checkShared(all)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Makefile (3 lessons), origin.go (2 lessons)"; c.held != want {
		t.Errorf("held = %q, want %q", c.held, want)
	}
	if got, want := strings.Join(c.problems, "; "), "Makefile differs in 02-done from 01-good; origin.go differs in 04-nohint from 01-good"; got != want {
		t.Errorf("problems = %q, want %q", got, want)
	}
	assertInOrder(t, strings.Join(c.details, "\n"),
		"Makefile: the copy in 02-done differs from the one in 01-good at line 9:\n",
		"  lessons/01-good/Makefile:9: .DEFAULT_GOAL := help\n",
		"  lessons/02-done/Makefile:9: .DEFAULT_GOAL := lesson\n",
		"origin.go: the copy in 04-nohint differs from the one in 01-good at line 1:\n",
		"  lessons/01-good/origin.go:1: // course:shared: the same everywhere.\n",
		"  lessons/04-nohint/origin.go:1: package main")

	// A file shared by the lessons its tag names only: the other lessons'
	// files of that name are their own.
	page := "<!-- course:shared(05-caught,06-missed): one page for two lessons -->\n<p>hi</p>\n"
	writeFile(t, lessonFile(5, "static/index.html"), page)
	writeFile(t, lessonFile(6, "static/index.html"), page+"<p>drifted</p>\n")
	c, err = checkShared(all)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Makefile (3 lessons), origin.go (2 lessons), static/index.html (2 lessons)"; c.held != want {
		t.Errorf("held = %q, want %q", c.held, want)
	}
	if got, want := c.problems[len(c.problems)-1], "static/index.html differs in 06-missed from 05-caught"; got != want {
		t.Errorf("the last problem = %q, want %q", got, want)
	}
}
