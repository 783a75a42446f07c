package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

func TestLessonFailingInHintOrder(t *testing.T) {
	t.Parallel()
	code, out := runCmd(t, coursetest.Fixture(t), "lesson", "1")
	if code != term.ExitFail {
		t.Errorf("exit status %d, want %d while tests fail", code, term.ExitFail)
	}
	// hints.md orders TestFirst, TestThird, TestSecond; the source another way.
	coursetest.AssertInOrder(t, out,
		"passed   TestFirst\n", "failed   TestThird\n", "failed   TestSecond\n",
		"TestThird failed:",
		`greet_test.go:23: Shout("ann") = "", want "HELLO, ANN!"`,
		"Hint:", "Which function of package strings makes text upper case?",
		"lesson 1: 1 passed, 2 failed\n",
		"edit lessons/01-good/greet.go", "make lesson-1", "make watch-1", "make hint-1")
	if strings.Contains(out, "What does Greet return now?") {
		t.Error("the report shows the hint of a later failure; want only the first failure's")
	}
	if strings.Contains(out, "=== RUN") || strings.Contains(out, "--- FAIL") {
		t.Errorf("the report shows go test's framing lines:\n%s", out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("the report has colour codes, but stdout is not a terminal")
	}
}

func TestLessonDone(t *testing.T) {
	t.Parallel()
	code, out := runCmd(t, coursetest.Fixture(t), "lesson", "2")
	if code != term.ExitOK {
		t.Errorf("exit status %d, want 0 when every test passes", code)
	}
	coursetest.AssertInOrder(t, out, "passed   TestDouble\n", "passed   TestDoubleZero\n",
		"lesson 2: 2 passed, 0 failed\n", "Lesson 2 is done", "make lesson-3")
}

// go test answers an unchanged lesson from its cache: the report says so,
// and how to run the tests afresh.
func TestLessonCached(t *testing.T) {
	t.Parallel()
	if strings.Contains(os.Getenv("GOFLAGS"), "-count") {
		t.Skip("GOFLAGS sets -count, so go test caches no result")
	}
	root := coursetest.FixtureCopy(t) // a folder of its own: its first run cannot be cached
	note := "(cached: go test showed the results of an earlier run"
	code, out := runCmd(t, root, "lesson", "2")
	if code != term.ExitOK || strings.Contains(out, note) {
		t.Errorf("first run: exit status %d, want 0, and no note of a cache:\n%s", code, out)
	}
	code, out = runCmd(t, root, "lesson", "2")
	if code != term.ExitOK {
		t.Errorf("second run: exit status %d, want 0", code)
	}
	coursetest.AssertInOrder(t, out, "lesson 2: 2 passed, 0 failed\n", note, "`go clean -testcache` makes the next run run every test afresh)\n", "Lesson 2 is done")
}

func TestLessonDoesNotBuild(t *testing.T) {
	t.Parallel()
	code, out := runCmd(t, coursetest.Fixture(t), "lesson", "3")
	if code != term.ExitFail {
		t.Errorf("exit status %d, want %d", code, term.ExitFail)
	}
	coursetest.AssertInOrder(t, out, "does not build, so no test could run",
		"lessons/03-broken/broken.go:8:9: undefined: undefinedName",
		"lesson 3: does not build; none of its 1 test could run")
	if strings.Contains(out, "failed") {
		t.Errorf("a build failure is reported as failed tests:\n%s", out)
	}
}

func TestLessonTestWithoutHintComesLast(t *testing.T) {
	t.Parallel()
	code, out := runCmd(t, coursetest.Fixture(t), "lesson", "4")
	if code != term.ExitFail {
		t.Errorf("exit status %d, want %d", code, term.ExitFail)
	}
	// TestOrphan comes first in the source but has no hint.
	coursetest.AssertInOrder(t, out, "failed   TestNeg\n", "passed   TestOrphan\n", "Flip the sign.", "lesson 4: 1 passed, 1 failed")
	if strings.Contains(out, "TestGhost") {
		t.Error("the report lists TestGhost, which has a hint but no test")
	}
}

func TestLessonColour(t *testing.T) {
	t.Parallel()
	te := newTestEnv(coursetest.Fixture(t))
	te.Color = true
	run(t.Context(), te.env, []string{"lesson", "1"})
	if out := te.out.String(); !strings.Contains(out, te.Red("failed  ")) || !strings.Contains(out, te.Green("passed  ")) {
		t.Errorf("no colour with color set:\n%q", out)
	}
}

// On a terminal the report alone goes to stdout; the status line, on
// stderr, is erased before it when a slow run showed one.
func TestLessonSaysItRuns(t *testing.T) {
	t.Parallel()
	te := newTestEnv(coursetest.Fixture(t))
	te.terminal, te.LiveStatus = true, true
	run(t.Context(), te.env, []string{"lesson", "2"})
	if out := te.out.String(); !strings.HasPrefix(out, "lesson 2 (02-done)") {
		t.Errorf("on a terminal the report starts %q, want the report alone on stdout", out[:min(len(out), 80)])
	}
	if status := te.errOut.String(); status != "" && !strings.HasSuffix(status, term.EraseLine) {
		t.Errorf("stderr = %q, want nothing, or a status line erased at the end", status)
	}
}

func TestCommandLineMistakes(t *testing.T) {
	t.Parallel()
	root := coursetest.Fixture(t)
	for _, args := range [][]string{{"lesson"}, {"lesson", "x"}, {"lesson", "9"}, {"lesson", "1", "2"}, {"nope"}, {"reset", "1", "-bogus"}} {
		te := newTestEnv(root)
		if code := run(t.Context(), te.env, args); code != term.ExitUsage {
			t.Errorf("%q: exit status %d, want %d", args, code, term.ExitUsage)
		}
		if te.errOut.String() == "" {
			t.Errorf("%q: nothing on stderr, want a word on what is wrong", args)
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"help"}} {
		code, out := runCmd(t, coursetest.Fixture(t), args...)
		if code != term.ExitOK {
			t.Errorf("%q: exit status %d, want 0", args, code)
		}
		coursetest.AssertInOrder(t, out, "lesson N", "watch N", "hint N", "run N", "demo N", "progress", "reset N", "verify", "lint", "test")
	}
}

func TestHint(t *testing.T) {
	t.Parallel()
	code, out := runCmd(t, coursetest.Fixture(t), "hint", "1")
	if code != term.ExitOK {
		t.Errorf("exit status %d, want 0", code)
	}
	coursetest.AssertInOrder(t, out, "1. TestFirst", "passes from the start", "2. TestThird", "upper case", "3. TestSecond", "Read the want")
}

func TestProgress(t *testing.T) {
	t.Parallel()
	code, out := runCmd(t, coursetest.Fixture(t), "progress")
	if code != term.ExitOK {
		t.Errorf("exit status %d, want 0", code)
	}
	coursetest.AssertInOrder(t, out,
		"01-good    1/3 passed\n",
		"02-done    2/2 passed\n",
		"03-broken  does not build\n",
		"04-nohint  1/2 passed\n",
		"Next: lesson 1 (01-good): make lesson-1")
}

func TestLessonCrashDoesNotHideOtherTests(t *testing.T) {
	t.Parallel()
	root := coursetest.FixtureCopy(t)
	// Go runs test files in name order: a panic in a_crash_test.go would stop
	// the binary before greet_test.go's tests, which come first in the lesson.
	crash := "package main\n\nimport \"testing\"\n\nfunc TestCrash(t *testing.T) {\n\tvar m map[string]int\n\tm[\"x\"] = 1\n}\n"
	if err := os.WriteFile(filepath.Join(root, "lessons", "01-good", "a_crash_test.go"), []byte(crash), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := runCmd(t, root, "lesson", "1")
	if code != term.ExitFail {
		t.Errorf("exit status %d, want %d", code, term.ExitFail)
	}
	coursetest.AssertInOrder(t, out, "passed   TestFirst\n", "failed   TestThird\n", "failed   TestSecond\n",
		"failed   TestCrash\n", "lesson 1: 1 passed, 3 failed\n")
	if strings.Contains(out, "not run") {
		t.Errorf("tests after the crash are reported as not run; want them run again without it:\n%s", out)
	}
}

// hangTest is a test file whose test waits longer than any timeout.
func hangTest(name string) string {
	return "package main\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc " + name + "(t *testing.T) { <-time.After(time.Hour) }\n"
}

// A test that times out fails with the limit named; the tests it kept from
// running are run again without it.
func TestLessonTimeoutDoesNotHideOtherTests(t *testing.T) {
	t.Parallel()
	root := coursetest.FixtureCopy(t)
	// a_hang_test.go runs first: Go runs test files in name order.
	coursetest.WriteFile(t, filepath.Join(root, "lessons", "01-good", "a_hang_test.go"), hangTest("TestHang"))
	te := newTestEnv(root)
	te.timeout = 2 * time.Second
	if code := run(t.Context(), te.env, []string{"lesson", "1"}); code != term.ExitFail {
		t.Errorf("exit status %d, want %d", code, term.ExitFail)
	}
	coursetest.AssertInOrder(t, te.out.String(), "passed   TestFirst\n", "failed   TestThird\n", "failed   TestSecond\n",
		"failed   TestHang\n", "lesson 1: 1 passed, 3 failed\n")
}

// After a second timeout the runner stops trying: each try waits the whole
// limit. The first test to time out is not run again.
func TestLessonSecondTimeoutStops(t *testing.T) {
	t.Parallel()
	root := coursetest.FixtureCopy(t)
	coursetest.WriteFile(t, filepath.Join(root, "lessons", "01-good", "a_hang_test.go"), hangTest("TestHangA"))
	coursetest.WriteFile(t, filepath.Join(root, "lessons", "01-good", "b_hang_test.go"), hangTest("TestHangB"))
	te := newTestEnv(root)
	te.timeout = 2 * time.Second
	if code := run(t.Context(), te.env, []string{"lesson", "1"}); code != term.ExitFail {
		t.Errorf("exit status %d, want %d", code, term.ExitFail)
	}
	coursetest.AssertInOrder(t, te.out.String(), "not run  TestFirst\n", "not run  TestThird\n", "not run  TestSecond\n",
		"failed   TestHangA\n", "failed   TestHangB\n",
		"TestHangA did not finish within the 2s limit: something waits forever",
		"panic: test timed out after 2s",
		"lesson 1: 0 passed, 2 failed, 3 not run\n")
}
