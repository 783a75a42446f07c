package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"wscourse/tools/course/internal/report"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/english"
	"wscourse/tools/internal/lesson"
)

// The sweep is an authors' check of a lesson's tests: it deletes each
// statement of the solution in turn (a mutant) and runs the tests on it. A
// mutant some test fails is killed; one every test passes survived, and is
// either a gap in the tests or a statement no test should need, which
// solutions/NN-name/sweep.md explains.

// SweepOptions are the sweep's flags.
type SweepOptions struct {
	Workers int    // mutants run at once
	Only    string // one solution file, or all when empty
	Verbose bool   // show why each mutant was killed or did not build
	List    bool   // list the mutants and run nothing
}

// Sweep sweeps lesson l and returns the exit status: a failure when the
// solution fails or a survivor is unexplained, a usage error when sweep.md
// or the solution cannot be read as the sweep needs.
func Sweep(ctx context.Context, e *term.Env, l lesson.Lesson, opt SweepOptions) int {
	s := &sweep{e: e, lesson: l, workers: opt.Workers, only: opt.Only, verbose: opt.Verbose}
	return s.run(ctx, opt.List)
}

// sweep is one sweep of a lesson.
type sweep struct {
	e       *term.Env
	lesson  lesson.Lesson
	workers int
	only    string // one solution file, or all when empty
	verbose bool

	muts    []mutation
	sources map[string][]byte // each solution file's text
	skipped int               // statements that declare names, left alone
}

// mutantResult is a mutant with what its run said.
type mutantResult struct {
	mutation
	mutantRun
}

func (s *sweep) run(ctx context.Context, listOnly bool) int {
	e, l := s.e, s.lesson
	xs, bad, err := loadExplanations(filepath.Join(l.SolutionDir, sweepFile))
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return term.ExitUsage
	}
	if len(bad) > 0 {
		fmt.Fprintf(e.Stdout, "%s %s is not as the sweep reads it:\n", e.Red("FAIL"), e.Rel(filepath.Join(l.SolutionDir, sweepFile)))
		for _, err := range bad {
			fmt.Fprintf(e.Stdout, "      %v\n", err)
		}
		return term.ExitUsage
	}
	if code := s.enumerate(); code != term.ExitOK {
		return code
	}
	if listOnly {
		for _, m := range s.muts {
			fmt.Fprintf(e.Stdout, "  %s\n", m.where())
		}
		fmt.Fprintf(e.Stdout, "sweep %d (%s): %s; %s left alone\n", l.Num, l.Name, english.Count(len(s.muts), "mutant"), english.Count(s.skipped, "declaration"))
		return term.ExitOK
	}
	if s.only != "" {
		xs = slices.DeleteFunc(xs, func(x explanation) bool { return x.file != s.only })
	}

	start := time.Now()
	race := report.RaceOff(ctx) == ""
	fmt.Fprintf(e.Stdout, "sweep lesson %d (%s): %s in %s; %s left alone\n",
		l.Num, l.Name, english.Count(len(s.muts), "mutant"), strings.Join(s.files(), ", "), english.Count(s.skipped, "declaration"))
	if !race {
		fmt.Fprintln(e.Stdout, report.RaceOff(ctx))
	}
	// The solution first: its tests must pass, and their time sets the
	// budget after which a mutant's tests count as hung.
	base := sweepRun{lesson: l, race: race}.run(ctx, "", nil)
	if ctx.Err() != nil {
		return term.ExitFail
	}
	if base.fate != fateSurvived {
		what := base.summary()
		switch base.fate {
		case fateKilled:
			what = "fails " + base.test
		case fateNoBuild:
			what = "does not build"
		}
		fmt.Fprintf(e.Stdout, "%s the solution itself %s\n", e.Red("FAIL"), what)
		for _, d := range base.details {
			fmt.Fprintf(e.Stdout, "      %s\n", d)
		}
		fmt.Fprintln(e.Stdout, "sweep: the solution must pass every test before its mutants mean anything")
		return term.ExitFail
	}
	budget := 2*base.tests + 15*time.Second
	fmt.Fprintf(e.Stdout, "the solution passes in %s (tests %s): a mutant's tests are stopped after %s; %s\n",
		seconds(base.took), seconds(base.tests), budget.Round(time.Second), atOnce(s.workers))

	results := s.runAll(ctx, sweepRun{lesson: l, race: race, budget: budget})
	if ctx.Err() != nil {
		fmt.Fprintln(e.Stdout, "sweep: interrupted")
		return term.ExitFail
	}
	return s.report(results, xs, time.Since(start))
}

// enumerate reads the solution files and lists their mutants.
func (s *sweep) enumerate() int {
	e, l := s.e, s.lesson
	files, err := l.StarterFiles()
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return term.ExitUsage
	}
	if s.only != "" {
		if !slices.Contains(files, s.only) {
			fmt.Fprintf(e.Stderr, "sweep: %s is not a solution file of lesson %d (they are %s)\n", s.only, l.Num, strings.Join(files, ", "))
			return term.ExitUsage
		}
		files = []string{s.only}
	}
	s.sources = map[string][]byte{}
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(l.SolutionDir, f))
		if err != nil {
			fmt.Fprintln(e.Stderr, err)
			return term.ExitUsage
		}
		muts, skipped, err := mutations(f, src)
		if err != nil {
			fmt.Fprintf(e.Stderr, "sweep: %v\n", err)
			return term.ExitUsage
		}
		s.sources[f] = src
		s.muts = append(s.muts, muts...)
		s.skipped += skipped
	}
	return term.ExitOK
}

func (s *sweep) files() []string {
	var names []string
	for f := range s.sources {
		names = append(names, f)
	}
	slices.Sort(names)
	return names
}

// runAll runs every mutant, s.workers at a time, printing a line as each
// ends, and returns the results in the mutants' order.
func (s *sweep) runAll(ctx context.Context, r sweepRun) []mutantResult {
	out := make([]mutantResult, len(s.muts))
	var (
		mu   sync.Mutex
		done int
	)
	width := len(fmt.Sprint(len(s.muts)))
	eachAtOnce(ctx, len(s.muts), s.workers, func(i int) {
		m, src := s.muts[i], s.sources[s.muts[i].file]
		res := r.run(ctx, m.file, m.apply(src))
		if kept, ok := m.keepUsed(src, res.build); ok && res.fate == fateNoBuild && ctx.Err() == nil {
			took := res.took
			res = r.run(ctx, m.file, kept.apply(src))
			res.took += took
		}
		if ctx.Err() != nil {
			return
		}
		out[i] = mutantResult{m, res}
		mu.Lock()
		done++
		s.printProgress(out[i], fmt.Sprintf("[%*d/%d]", width, done, len(s.muts)))
		mu.Unlock()
	})
	return out
}

// printProgress is the line of one mutant as it ends.
func (s *sweep) printProgress(r mutantResult, count string) {
	e := s.e
	word := map[fate]string{
		fateKilled: e.Green("killed  "), fateTimeout: e.Green("killed  "), fateSurvived: e.Red("survived"),
		fateNoBuild: e.Dim("no build"), fateError: e.Red("error   "),
	}[r.fate]
	fmt.Fprintf(e.Stdout, "%s %s %s: %s\n", e.Dim(count), word, r.where(), r.summary())
	if s.verbose || r.fate == fateError {
		for _, d := range r.details {
			fmt.Fprintf(e.Stdout, "      %s\n", d)
		}
	}
}

// report prints the survivors, the stale explanations and the summary, and
// returns the exit status: a failure when a survivor is unexplained.
func (s *sweep) report(results []mutantResult, xs []explanation, took time.Duration) int {
	e, l := s.e, s.lesson
	why := map[string]explanation{}
	for _, x := range xs {
		why[x.key()] = x
	}
	byKey := map[string]mutantResult{}
	count := map[fate]int{}
	var explained, unexplained []mutantResult
	for _, r := range results {
		byKey[r.key()] = r
		count[r.fate]++
		if r.fate != fateSurvived {
			continue
		}
		if _, ok := why[r.key()]; ok {
			explained = append(explained, r)
		} else {
			unexplained = append(unexplained, r)
		}
	}
	md := e.Rel(filepath.Join(l.SolutionDir, sweepFile))
	if len(explained)+len(unexplained) > 0 {
		fmt.Fprintln(e.Stdout, "\nSurvivors (every test passed without the statement):")
		for _, r := range results {
			if r.fate != fateSurvived {
				continue
			}
			if x, ok := why[r.key()]; ok {
				fmt.Fprintf(e.Stdout, "%s %s\n      %s\n", e.Green("ok  "), r.where(), e.Dim(fmt.Sprintf("explained at %s:%d: %s", md, x.line, x.reason)))
				continue
			}
			fmt.Fprintf(e.Stdout, "%s %s\n", e.Red("FAIL"), r.where())
		}
	}
	var stale []string
	for _, x := range xs {
		r, ok := byKey[x.key()]
		switch {
		case !ok:
			stale = append(stale, fmt.Sprintf("%s:%d: %s %s: %s matches no statement", md, x.line, x.file, x.fn, explanationWhat(x)))
		case r.fate != fateSurvived:
			stale = append(stale, fmt.Sprintf("%s:%d: %s no longer survives: %s", md, x.line, r.where(), r.summary()))
		}
	}
	if len(stale) > 0 {
		fmt.Fprintf(e.Stdout, "\nStale entries in %s (remove or update them):\n", md)
		for _, st := range stale {
			fmt.Fprintf(e.Stdout, "%s %s\n", e.Yellow("note"), st)
		}
	}
	if len(unexplained) > 0 {
		fmt.Fprintf(e.Stdout, "\nEach unexplained survivor is a gap in the tests: add a test that fails without the statement,\n"+
			"or, when no test should, explain it with a line in %s:\n", md)
		for _, r := range unexplained {
			fmt.Fprintf(e.Stdout, "    %s\n", sweepEntry(r.mutation, "REASON"))
		}
	}
	statements := map[string]bool{}
	for _, r := range results {
		statements[fmt.Sprint(r.file, r.at)] = true
	}
	killed := fmt.Sprint(count[fateKilled] + count[fateTimeout])
	if count[fateTimeout] > 0 {
		killed += fmt.Sprintf(" (%d by timeout)", count[fateTimeout])
	}
	summary := fmt.Sprintf("sweep lesson %d: %s of %s: %s killed, %d survived (%d explained, %d unexplained), %d did not build",
		l.Num, english.Count(len(results), "mutant"), english.Count(len(statements), "statement"), killed,
		count[fateSurvived], len(explained), len(unexplained), count[fateNoBuild])
	if count[fateError] > 0 {
		summary += fmt.Sprintf(", %d could not run", count[fateError])
	}
	if len(stale) > 0 {
		summary += fmt.Sprintf(", %s", english.Count(len(stale), "stale entry"))
		summary = strings.Replace(summary, "entrys", "entries", 1)
	}
	fmt.Fprintf(e.Stdout, "\n%s; %s\n", summary, took.Round(time.Second))
	if len(unexplained) > 0 || count[fateError] > 0 {
		return term.ExitFail
	}
	return term.ExitOK
}

func explanationWhat(x explanation) string {
	return mutation{kind: x.kind, text: x.text, occur: x.occur}.what()
}
