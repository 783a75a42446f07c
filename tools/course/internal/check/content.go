package check

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"wscourse/tools/internal/hints"
	"wscourse/tools/internal/lesson"
)

// contentProblems checks what a lesson must hold besides code that works:
// a README, a hint for every test and a test for every hint, starter files
// that exist and carry TODO markers, and the browser client.
func contentProblems(l lesson.Lesson) []string {
	var probs []string
	for _, f := range []string{"README.md", filepath.Join("static", "index.html")} {
		if !isFile(filepath.Join(l.Dir, f)) {
			probs = append(probs, "no "+filepath.ToSlash(f))
		}
	}
	probs = append(probs, hintProblems(l)...)
	files, err := l.StarterFiles()
	if err != nil {
		return append(probs, err.Error())
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(l.Dir, f))
		switch {
		case err != nil:
			probs = append(probs, fmt.Sprintf("starter file %s (named by the solution) is missing", f))
		case !bytes.Contains(data, []byte("TODO:")):
			probs = append(probs, fmt.Sprintf("starter file %s has no TODO: marker", f))
		}
	}
	return probs
}

// hintProblems compares the sections of hints.md with the test functions.
func hintProblems(l lesson.Lesson) []string {
	hs, err := hints.Load(l.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return []string{"no " + hints.FileName}
	case err != nil:
		return []string{err.Error()}
	}
	funcs, err := l.TestFuncs()
	if err != nil {
		return []string{"cannot parse the tests: " + err.Error()}
	}
	var probs []string
	seen := map[string]bool{}
	for _, h := range hs {
		switch {
		case seen[h.Test]:
			probs = append(probs, "two hints for "+h.Test)
		case !slices.Contains(funcs, h.Test):
			probs = append(probs, "a hint for "+h.Test+", which is not a test")
		case h.Text == "":
			probs = append(probs, "the hint for "+h.Test+" is empty")
		}
		seen[h.Test] = true
	}
	for _, f := range funcs {
		if !seen[f] {
			probs = append(probs, "no hint for "+f)
		}
	}
	return probs
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
