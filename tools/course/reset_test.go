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
	assertInOrder(t, te.out.String(), "lessons/01-good/greet.go", "Type yes", "Nothing changed.")
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

	// A ref that does not exist changes nothing.
	edit()
	if code, _ := runCmd(t, root, "reset", "1", "-yes", "-ref", "no-such-ref"); code != exitFail || readFile(t, greet) == starter {
		t.Errorf("reset -ref no-such-ref: exit status %d, want %d and no change", code, exitFail)
	}
}
