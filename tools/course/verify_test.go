package main

import (
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	code, out := runCmd(t, fixture(t), "verify")
	if code != exitFail {
		t.Errorf("exit status %d, want %d: three fixture lessons are wrong", code, exitFail)
	}
	assertInOrder(t, out,
		"ok   01-good    content complete; starter fails 2 of 3 tests; solution passes 3 tests with -race\n",
		"FAIL 02-done    starter passes every test (2): a student has nothing to do (held: content complete; solution passes 2 tests with -race)\n",
		"FAIL 03-broken  starter does not build (held: content complete; solution passes 1 test with -race)\n",
		"lessons/03-broken/broken.go:8:9: undefined: undefinedName",
		"FAIL 04-nohint  a hint for TestGhost, which is not a test; no hint for TestOrphan (held: starter fails 1 of 2 tests; solution passes 2 tests with -race)\n",
		"verify: 1 passed, 3 failed\n")
	if strings.Contains(out, "03-broken  starter does not build; starter fails") {
		t.Error("a starter that does not build also counts as failing tests")
	}
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
