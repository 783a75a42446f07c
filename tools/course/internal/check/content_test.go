package check

import (
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
)

func TestContentProblems(t *testing.T) {
	root := coursetest.FixtureCopy(t)
	l := coursetest.MustLesson(t, root, 1)
	coursetest.WriteFile(t, l.Dir+"/greet.go", "package main\n\nfunc Greet(string) string { return \"\" }\n\nfunc Shout(string) string { return \"\" }\n")
	coursetest.RemoveFile(t, l.Dir+"/README.md")
	coursetest.RemoveFile(t, l.Dir+"/static/index.html")
	coursetest.WriteFile(t, l.Dir+"/hints.md", "# Hints\n\n## TestFirst\n\nx\n\n## TestFirst\n\ny\n\n## TestSecond\n\n## TestThird\n\nz\n")
	got := strings.Join(contentProblems(l), "; ")
	want := "no README.md; no static/index.html; two hints for TestFirst; the hint for TestSecond is empty; starter file greet.go has no TODO: marker"
	if got != want {
		t.Errorf("contentProblems =\n  %s\nwant\n  %s", got, want)
	}
}
