package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitFixture is a copy of the fixture committed to a fresh git repository.
func gitFixture(t *testing.T) string {
	t.Helper()
	root := fixtureCopy(t)
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "."},
		{"-c", "user.name=course", "-c", "user.email=course@example.com", "commit", "-q", "-m", "start"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return root
}

func TestReset(t *testing.T) {
	t.Parallel()
	root := gitFixture(t)
	greet := filepath.Join(root, "lessons", "01-good", "greet.go")
	starter := readFile(t, greet)
	edit := func() { writeFile(t, greet, "package main\n\n// work in progress\n") }

	// No terminal, no -yes: refuse, change nothing.
	edit()
	te := newTestEnv(root)
	if code := run(t.Context(), te.env, []string{"reset", "1"}); code != exitUsage {
		t.Errorf("reset without a terminal: exit status %d, want %d", code, exitUsage)
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
	if readFile(t, greet) == starter {
		t.Fatal("reset without confirmation changed the file")
	}

	// A terminal and an answer other than yes: nothing changes.
	te = newTestEnv(root)
	te.canAsk, te.stdin = true, strings.NewReader("no\n")
	if code := run(t.Context(), te.env, []string{"reset", "1"}); code == exitOK {
		t.Error("reset answered no: exit status 0, want non-zero")
	}
	assertInOrder(t, te.out.String(), "the starter files, which you edit:\n    lessons/01-good/greet.go\n", "Type yes", "Nothing changed.")
	if readFile(t, greet) == starter {
		t.Fatal("reset answered no changed the file")
	}

	// yes typed at the terminal: the starter is back.
	te = newTestEnv(root)
	te.canAsk, te.stdin = true, strings.NewReader("yes\n")
	if code := run(t.Context(), te.env, []string{"reset", "1"}); code != exitOK {
		t.Errorf("reset answered yes: exit status %d, want 0; stderr %s", code, te.errOut.String())
	}
	if readFile(t, greet) != starter {
		t.Error("reset answered yes did not restore greet.go")
	}

	// -yes skips the question; -ref names the commit.
	edit()
	if code, out := runCmd(t, root, "reset", "1", "-yes", "-ref", "HEAD"); code != exitOK || readFile(t, greet) != starter {
		t.Errorf("reset -yes: exit status %d, restored %v; output:\n%s", code, readFile(t, greet) == starter, out)
	}

	// Given files the student changed or deleted go back too; files git does
	// not know are listed and left alone.
	main, hints := filepath.Join(root, "lessons", "01-good", "main.go"), filepath.Join(root, "lessons", "01-good", "hints.md")
	givenMain, givenHints := readFile(t, main), readFile(t, hints)
	notes := filepath.Join(root, "lessons", "01-good", "notes.txt")
	edit()
	writeFile(t, main, "package main\n\nfunc main() { broken }\n")
	removeFile(t, hints)
	writeFile(t, notes, "my notes\n")
	code, out := runCmd(t, root, "reset", "1", "-yes")
	if code != exitOK {
		t.Errorf("reset -yes with given files changed: exit status %d, want 0; output:\n%s", code, out)
	}
	assertInOrder(t, out,
		"  the starter files, which you edit:\n    lessons/01-good/greet.go\n",
		"  given files you changed, which the lessons do not ask you to edit:\n",
		"    lessons/01-good/hints.md (deleted)\n", "    lessons/01-good/main.go\n",
		"  not part of the course, left alone:\n    lessons/01-good/notes.txt\n",
		"Restored 1 starter file and 2 given files from HEAD.")
	if readFile(t, greet) != starter || readFile(t, main) != givenMain || readFile(t, hints) != givenHints {
		t.Error("reset -yes did not restore greet.go, main.go and hints.md")
	}
	if readFile(t, notes) != "my notes\n" {
		t.Error("reset changed notes.txt, which is not part of the course")
	}

	// A ref that does not exist changes nothing.
	edit()
	if code, _ := runCmd(t, root, "reset", "1", "-yes", "-ref", "no-such-ref"); code != exitFail || readFile(t, greet) == starter {
		t.Errorf("reset -ref no-such-ref: exit status %d, want %d and no change", code, exitFail)
	}
}
