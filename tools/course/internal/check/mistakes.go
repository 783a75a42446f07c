package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/internal/english"
	"wscourse/tools/internal/mistakes"
)

// minMistakes is how many mistakes every lesson lists at least: enough that
// the messages are checked wherever students commonly go wrong.
const minMistakes = 10

// checkMistakes: the solution folder lists the mistakes students make, the
// README names them, and each one, made in a copy of the solution, is
// reported by the lesson's tests as mistakes.md says.
func (v *verdict) checkMistakes(ctx context.Context) {
	l := v.lesson
	path := "solutions/" + l.Name + "/" + mistakes.FileName
	f, err := mistakes.Load(l.SolutionDir)
	var parseErrs mistakes.Errors
	switch {
	case errors.Is(err, fs.ErrNotExist):
		v.problems = append(v.problems, "no "+path+": list the mistakes students make")
		return
	case errors.As(err, &parseErrs):
		for _, e := range parseErrs {
			v.problems = append(v.problems, at(path, e))
		}
		return
	case err != nil:
		v.problems = append(v.problems, err.Error())
		return
	}
	if f.Lesson != l.Name {
		v.problems = append(v.problems, fmt.Sprintf("%s is headed %q, want %q", path, "# Mistakes: "+f.Lesson, "# Mistakes: "+l.Name))
	}
	if n := len(f.Mistakes); n < minMistakes {
		v.problems = append(v.problems, fmt.Sprintf("%s has %s, want at least %d", mistakes.FileName, english.Count(n, "mistake"), minMistakes))
	}
	v.problems = append(v.problems, readmeMistakeProblems(v.lesson.Dir, f.Mistakes)...)
	trials, probs := v.prepareTrials(path, f.Mistakes)
	v.problems = append(v.problems, probs...)
	if len(trials) == 0 {
		return
	}
	if v.solutionFailed {
		v.details = append(v.details, "mistakes not run: they are edits of a solution that must pass first")
		return
	}
	workers := mistakeWorkers(len(trials))
	v.status.Phase(fmt.Sprintf("lesson %d's mistakes", l.Num), "")
	v.status.Update(fmt.Sprintf("0 of %d run", len(trials)))
	outcomes := runTrials(ctx, l, trials, workers, v.solution, func(n int) {
		v.status.Update(fmt.Sprintf("%d of %d run", n, len(trials)))
	})
	if ctx.Err() != nil {
		return
	}
	caught := 0
	var missed []string
	v.details = append(v.details, fmt.Sprintf("mistakes (%s; each first time, which the limit bounds, is how long the reported test ran until it failed; in brackets, when it failed, build left out, and the whole run, build included):", atOnce(workers)))
	for _, o := range outcomes {
		if o.fail == "" {
			caught++
		} else {
			missed = append(missed, o.mistake.Title)
		}
		v.details = append(v.details, o.lines()...)
	}
	if caught < len(outcomes) {
		// Named here too: a log cut short for its length keeps the headline.
		v.problems = append(v.problems, fmt.Sprintf("%d of %d mistakes not reported as %s says (%s)", len(outcomes)-caught, len(outcomes), mistakes.FileName, quoteAll(missed)))
	}
	if caught > 0 {
		v.held = append(v.held, fmt.Sprintf("%s caught, %s", english.Count(caught, "mistake"), atOnce(workers)))
	}
}

// readmeMistakeProblems: the README has a Mistakes section that names every
// mistake, so students read about them before they make them.
func readmeMistakeProblems(dir string, ms []mistakes.Mistake) []string {
	data, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil // contentProblems says the README is missing
	}
	titles := make([]string, len(ms))
	for i, m := range ms {
		titles[i] = m.Title
	}
	missing, found := mistakes.Unnamed(string(data), titles)
	switch {
	case !found:
		return []string{"README.md has no section headed Mistakes to name the mistakes of " + mistakes.FileName}
	case len(missing) > 0:
		return []string{"README.md's Mistakes section does not name " + quoteAll(missing)}
	}
	return nil
}

// prepareTrials makes each mistake's edits on the file it names, and
// returns the mistakes that can run and the problems of the others.
func (v *verdict) prepareTrials(path string, ms []mistakes.Mistake) ([]trial, []string) {
	l := v.lesson
	funcs, err := l.TestFuncs()
	if err != nil {
		return nil, []string{"cannot parse the tests: " + err.Error()}
	}
	starters, _ := l.StarterFiles()
	var trials []trial
	var probs []string
	for _, m := range ms {
		if !slices.Contains(funcs, m.Test) {
			probs = append(probs, at(path, &mistakes.Error{Line: m.Line, Title: m.Title, Msg: m.Test + " is not a test of the lesson"}))
			continue
		}
		src := filepath.Join(l.Dir, m.File)
		if slices.Contains(starters, m.File) {
			src = filepath.Join(l.SolutionDir, m.File)
		}
		data, err := os.ReadFile(src)
		if err != nil {
			probs = append(probs, at(path, &mistakes.Error{Line: m.Line, Title: m.Title,
				Msg: fmt.Sprintf("%s is a file of neither solutions/%s nor lessons/%s", m.File, l.Name, l.Name)}))
			continue
		}
		edited, err := m.Apply(string(data))
		if err != nil {
			var e *mistakes.Error
			if errors.As(err, &e) {
				probs = append(probs, at(path, e))
			} else {
				probs = append(probs, err.Error())
			}
			continue
		}
		trials = append(trials, trial{mistake: m, edited: edited})
	}
	return trials, probs
}

// at places a problem of a mistakes file as a compiler would: path:line.
func at(path string, e *mistakes.Error) string {
	if e.Title == "" {
		return fmt.Sprintf("%s:%d: %s", path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %q: %s", path, e.Line, e.Title, e.Msg)
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
