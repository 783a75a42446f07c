package check

import (
	"path/filepath"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	// In a repository of its own, so that the starters are the committed ones
	// whatever the state of the course's own checkout.
	tm := coursetest.NewTerm(coursetest.GitFixture(t))
	if Verify(t.Context(), tm.Env, nil) {
		t.Error("Verify = true, want false: three fixture lessons are wrong")
	}
	out := tm.Out.String()
	// Each line is checked in parts, so that a check added to a lesson's line
	// leaves these as they are.
	coursetest.AssertInOrder(t, out,
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
	root := coursetest.GitFixture(t)
	l := coursetest.MustLesson(t, root, 1)
	coursetest.WriteFile(t, filepath.Join(l.Dir, "greet.go"), coursetest.ReadFile(t, filepath.Join(l.SolutionDir, "greet.go")))
	v := &verdict{lesson: l}
	v.checkStarter(t.Context())
	coursetest.AssertInOrder(t, strings.Join(v.problems, "; "),
		"the starter files (greet.go) differ from the committed ones and pass every test: this looks like a finished lesson, not a starter.",
		"run them in a fresh clone (your own progress: `make progress`)")

	// Without git there is no telling.
	v = &verdict{lesson: coursetest.MustLesson(t, coursetest.FixtureCopy(t), 2)}
	v.checkStarter(t.Context())
	coursetest.AssertInOrder(t, strings.Join(v.problems, "; "),
		"starter passes every test (2), and git cannot tell whether its files (done.go) are the committed ones",
		"if they are, a student has nothing to do; if they are your own work, `make verify` and `make test` check the course itself")
}
