package main

import (
	"path/filepath"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

func TestReset(t *testing.T) {
	t.Parallel()
	root := coursetest.GitFixture(t)
	greet := filepath.Join(root, "lessons", "01-good", "greet.go")
	starter := coursetest.ReadFile(t, greet)
	edit := func() { coursetest.WriteFile(t, greet, "package main\n\n// work in progress\n") }

	// No terminal, no -yes: refuse, change nothing.
	edit()
	te := newTestEnv(root)
	if code := run(t.Context(), te.env, []string{"reset", "1"}); code != term.ExitUsage {
		t.Errorf("reset without a terminal: exit status %d, want %d", code, term.ExitUsage)
	}
	if !strings.Contains(te.errOut.String(), "go run ./tools/course reset 1 -yes") {
		t.Errorf("the refusal does not say how to go on: %q", te.errOut.String())
	}
	te = newTestEnv(root)
	te.viaMake = true
	run(t.Context(), te.env, []string{"reset", "1"})
	if !strings.Contains(te.errOut.String(), "make reset-1 ARGS=-yes") {
		t.Errorf("started by make, the refusal does not name the make target: %q", te.errOut.String())
	}
	if coursetest.ReadFile(t, greet) == starter {
		t.Fatal("reset without confirmation changed the file")
	}

	// A terminal and an answer other than yes: nothing changes.
	te = newTestEnv(root)
	te.canAsk, te.stdin = true, strings.NewReader("no\n")
	if code := run(t.Context(), te.env, []string{"reset", "1"}); code == term.ExitOK {
		t.Error("reset answered no: exit status 0, want non-zero")
	}
	coursetest.AssertInOrder(t, te.out.String(), "the starter files, which you edit:\n    lessons/01-good/greet.go\n", "Type yes", "Nothing changed.")
	if coursetest.ReadFile(t, greet) == starter {
		t.Fatal("reset answered no changed the file")
	}

	// yes typed at the terminal: the starter is back.
	te = newTestEnv(root)
	te.canAsk, te.stdin = true, strings.NewReader("yes\n")
	if code := run(t.Context(), te.env, []string{"reset", "1"}); code != term.ExitOK {
		t.Errorf("reset answered yes: exit status %d, want 0; stderr %s", code, te.errOut.String())
	}
	if coursetest.ReadFile(t, greet) != starter {
		t.Error("reset answered yes did not restore greet.go")
	}

	// -yes skips the question; -ref names the commit.
	edit()
	if code, out := runCmd(t, root, "reset", "1", "-yes", "-ref", "HEAD"); code != term.ExitOK || coursetest.ReadFile(t, greet) != starter {
		t.Errorf("reset -yes: exit status %d, restored %v; output:\n%s", code, coursetest.ReadFile(t, greet) == starter, out)
	}

	// Given files the student changed or deleted go back too; files git does
	// not know are listed and left alone.
	main, hints := filepath.Join(root, "lessons", "01-good", "main.go"), filepath.Join(root, "lessons", "01-good", "hints.md")
	givenMain, givenHints := coursetest.ReadFile(t, main), coursetest.ReadFile(t, hints)
	notes := filepath.Join(root, "lessons", "01-good", "notes.txt")
	edit()
	coursetest.WriteFile(t, main, "package main\n\nfunc main() { broken }\n")
	coursetest.RemoveFile(t, hints)
	coursetest.WriteFile(t, notes, "my notes\n")
	code, out := runCmd(t, root, "reset", "1", "-yes")
	if code != term.ExitOK {
		t.Errorf("reset -yes with given files changed: exit status %d, want 0; output:\n%s", code, out)
	}
	coursetest.AssertInOrder(t, out,
		"  the starter files, which you edit:\n    lessons/01-good/greet.go\n",
		"  given files you changed, which the lessons do not ask you to edit:\n",
		"    lessons/01-good/hints.md (deleted)\n", "    lessons/01-good/main.go\n",
		"  not part of the course, left alone:\n    lessons/01-good/notes.txt\n",
		"Restored 1 starter file and 2 given files from HEAD.")
	if coursetest.ReadFile(t, greet) != starter || coursetest.ReadFile(t, main) != givenMain || coursetest.ReadFile(t, hints) != givenHints {
		t.Error("reset -yes did not restore greet.go, main.go and hints.md")
	}
	if coursetest.ReadFile(t, notes) != "my notes\n" {
		t.Error("reset changed notes.txt, which is not part of the course")
	}

	// A ref that does not exist changes nothing.
	edit()
	if code, _ := runCmd(t, root, "reset", "1", "-yes", "-ref", "no-such-ref"); code != term.ExitFail || coursetest.ReadFile(t, greet) == starter {
		t.Errorf("reset -ref no-such-ref: exit status %d, want %d and no change", code, term.ExitFail)
	}
}
