package check

import (
	"path/filepath"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/internal/lesson"
)

func TestShared(t *testing.T) {
	t.Parallel()
	root := coursetest.FixtureCopy(t)
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
	makefile := coursetest.ReadFile(t, lessonFile(1, "Makefile"))
	coursetest.WriteFile(t, lessonFile(4, "Makefile"), makefile)
	coursetest.WriteFile(t, lessonFile(2, "Makefile"), strings.Replace(makefile, ".DEFAULT_GOAL := help", ".DEFAULT_GOAL := lesson", 1))
	coursetest.WriteFile(t, lessonFile(1, "origin.go"), "// course:shared: the same everywhere.\npackage main\n")
	coursetest.WriteFile(t, lessonFile(4, "origin.go"), "package main\n")
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
	coursetest.AssertInOrder(t, strings.Join(c.details, "\n"),
		"Makefile: the copy in 02-done differs from the one in 01-good at line 9:\n",
		"  lessons/01-good/Makefile:9: .DEFAULT_GOAL := help\n",
		"  lessons/02-done/Makefile:9: .DEFAULT_GOAL := lesson\n",
		"origin.go: the copy in 04-nohint differs from the one in 01-good at line 1:\n",
		"  lessons/01-good/origin.go:1: // course:shared: the same everywhere.\n",
		"  lessons/04-nohint/origin.go:1: package main")

	// A file shared by the lessons its tag names only: the other lessons'
	// files of that name are their own.
	page := "<!-- course:shared(05-caught,06-missed): one page for two lessons -->\n<p>hi</p>\n"
	coursetest.WriteFile(t, lessonFile(5, "static/index.html"), page)
	coursetest.WriteFile(t, lessonFile(6, "static/index.html"), page+"<p>drifted</p>\n")
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
