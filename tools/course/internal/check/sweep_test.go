package check

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

// One function per statement kind; each line of want is a mutant as the
// sweep lists it.
const sweepSource = `package p

import (
	"log"
	"sync"
)

type hub struct{ n int }

// run has an if with an else, an else-if chain, a for and a switch.
func (h *hub) run(xs []int, wg *sync.WaitGroup) int {
	defer wg.Done()
	total := 0 // a declaration: left alone
	var extra int
	for _, x := range xs {
		total += x
		h.n++
	}
	if total > 10 {
		log.Printf("big: %d", total)
		total = 10
	} else {
		total++
		extra = 1
	}
	if total < 0 {
		return -1 // alone in its then-body: emptying the body deletes it
	} else if total == 0 {
		return 0
	}
	switch total {
	case 1:
		h.n = 1
	default:
		h.n = 2 // two statements: the clause is emptied, and each deleted
		h.n += extra
	}
	return total
}

// loop has a go statement, a function literal, a select and a label.
func loop(ch chan int, done chan struct{}) {
	go func() {
		ch <- 1
	}()
outer:
	for {
		select {
		case v := <-ch:
			_ = v
			break outer
		case <-done:
			return
		}
	}
	f := func() {
		log.Println("one") /* a comment */
		log.Println(
			"two",
		)
	}
	f()
}
`

func TestSweepMutations(t *testing.T) {
	muts, skipped, err := mutations("hub.go", []byte(sweepSource))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range muts {
		got = append(got, m.where())
	}
	want := []string{
		"hub.go:12 hub.run: delete `defer wg.Done()`",
		"hub.go:15 hub.run: delete `for _, x := range xs { … }`",
		"hub.go:16 hub.run: delete `total += x`",
		"hub.go:17 hub.run: delete `h.n++`",
		"hub.go:19 hub.run: empty then `if total > 10 { … }`",
		"hub.go:20 hub.run: delete `log.Printf(\"big: %d\", total)`",
		"hub.go:21 hub.run: delete `total = 10`",
		"hub.go:22 hub.run: empty else `if total > 10 { … }`",
		"hub.go:23 hub.run: delete `total++`",
		"hub.go:24 hub.run: delete `extra = 1`",
		"hub.go:26 hub.run: empty then `if total < 0 { … }`",
		"hub.go:28 hub.run: empty else `if total < 0 { … }`",
		"hub.go:28 hub.run: empty then `if total == 0 { … }`",
		"hub.go:31 hub.run: delete `switch total { … }`",
		"hub.go:33 hub.run: delete `h.n = 1`",
		"hub.go:34 hub.run: empty case `default: …`",
		"hub.go:35 hub.run: delete `h.n = 2`",
		"hub.go:36 hub.run: delete `h.n += extra`",
		"hub.go:38 hub.run: delete `return total`", // the mutant does not build: missing return
		"hub.go:43 loop: delete `go func() { … }()`",
		"hub.go:44 loop: delete `ch <- 1`",
		"hub.go:46 loop: delete `outer: for { … }`",
		"hub.go:48 loop: delete `select { … }`",
		"hub.go:49 loop: empty case `case v := <-ch: …`",
		"hub.go:50 loop: delete `_ = v`",
		"hub.go:51 loop: delete `break outer`",
		"hub.go:53 loop: delete `return`",
		"hub.go:57 loop: delete `log.Println(\"one\")`",
		"hub.go:58 loop: delete `log.Println(\"two\")`",
		"hub.go:62 loop: delete `f()`",
	}
	if !slices.Equal(got, want) {
		t.Errorf("mutations:\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	// total, extra and f are declared.
	if skipped != 3 {
		t.Errorf("skipped = %d, want 3 declarations", skipped)
	}
	for _, m := range muts {
		if _, err := parser.ParseFile(token.NewFileSet(), "", m.apply([]byte(sweepSource)), 0); err != nil {
			t.Errorf("the mutant %s does not parse: %v", m.where(), err)
		}
	}
}

// A cut that removes an import's last use keeps the import, blank; one
// that leaves a variable unused is run again with _ = x in its place.
func TestSweepMutantBuilds(t *testing.T) {
	muts, _, err := mutations("hub.go", []byte(sweepSource))
	if err != nil {
		t.Fatal(err)
	}
	find := func(what string) mutation {
		t.Helper()
		for _, m := range muts {
			if m.what() == what {
				return m
			}
		}
		t.Fatalf("no mutant %s", what)
		return mutation{}
	}
	src := []byte(sweepSource)
	// log has other uses: it stays as it is.
	if got := string(find("delete `log.Println(\"one\")`").apply(src)); !strings.Contains(got, "\t\"log\"\n") {
		t.Errorf("a cut that leaves log used blanked its import:\n%s", got)
	}
	one := []byte("package p\n\nimport (\n\t\"fmt\"\n\tl \"log\"\n)\n\nfunc f() {\n\tl.Print(fmt.Sprint(1))\n}\n")
	ms, _, err := mutations("one.go", one)
	if err != nil || len(ms) != 1 {
		t.Fatalf("mutations = %v, %v; want one", ms, err)
	}
	if got, want := string(ms[0].apply(one)), "package p\n\nimport (\n\t_ \"fmt\"\n\t_ \"log\"\n)\n\nfunc f() {\n\t\n}\n"; got != want {
		t.Errorf("apply =\n%s\nwant\n%s", got, want)
	}

	m := find("delete `total += x`")
	kept, ok := m.keepUsed(src, []string{"./hub.go:15:9: declared and not used: x"})
	if !ok || !strings.Contains(string(kept.apply(src)), "{\n\t\t_ = x\n\t\th.n++") {
		t.Errorf("keepUsed = %v: want total += x replaced with _ = x; mutant:\n%s", ok, kept.apply(src))
	}
	if _, ok := m.keepUsed(src, []string{"./hub.go:15:9: declared and not used: x", "./hub.go:3:1: missing return"}); ok {
		t.Error("keepUsed answered a build that failed for another reason as well")
	}
	if _, ok := m.keepUsed(src, []string{"./hub.go:15:9: declared and not used: y"}); ok {
		t.Error("keepUsed answered for a variable the cut statement does not name")
	}
	chain := find("empty else `if total < 0 { … }`")
	kept, ok = chain.keepUsed(src, []string{"declared and not used: total"})
	if !ok || !strings.Contains(string(kept.apply(src)), "return -1 // alone in its then-body: emptying the body deletes it\n\t} else { _ = total }\n") {
		t.Errorf("keepUsed on an else-if chain = %v; mutant:\n%s", ok, kept.apply(src))
	}
}

func TestParseExplanations(t *testing.T) {
	text := strings.Join([]string{
		"# Survivors of lesson 01",              // 1
		"",                                      // 2
		"Prose is left alone, and so is -this.", // 3
		"- hub.go hub.run: delete `h.n++`: only counted",                                         // 4
		"- hub.go hub.run: delete `h.n++` #2: counted too",                                       // 5
		"- hub.go hub.run: empty then `if total > 10 { … }`: the cap is not tested, on purpose ", // 6
		"- hub.go loop: delete `` x := `a` `` #3: a raw string",                                  // 7
		"- hub.go hub.run: delete `h.n++`: the same again",                                       // 8
		"- hub.txt hub.run: delete `h.n++`: not Go",                                              // 9
		"- hub.go hub.run delete `h.n++`: no colon",                                              // 10
		"- hub.go hub.run: remove `h.n++`: no such kind",                                         // 11
		"- hub.go hub.run: delete `h.n++: unclosed",                                              // 12
		"- hub.go hub.run: delete `h.n++`",                                                       // 13
		"- hub.go hub.run: delete `h.n++` #x: bad number",                                        // 14
		"- hub.go hub.run: delete ``: empty",                                                     // 15
	}, "\n")
	xs, errs := parseExplanations(text)
	var got []string
	for _, x := range xs {
		got = append(got, x.entry())
	}
	want := []string{
		"- hub.go hub.run: delete `h.n++`: only counted",
		"- hub.go hub.run: delete `h.n++` #2: counted too",
		"- hub.go hub.run: empty then `if total > 10 { … }`: the cap is not tested, on purpose",
		"- hub.go loop: delete `` x := `a` `` #3: a raw string",
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries:\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if len(xs) == 4 && (xs[3].text != "x := `a`" || xs[3].occur != 3 || xs[3].line != 7 || xs[0].occur != 1) {
		t.Errorf("line 7 read as %+v", xs[3])
	}
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, err.Error())
	}
	wantErrs := []string{
		"line 8: explains the same mutant as line 4",
		"line 9: \"hub.txt\" is not a .go file name (want `- FILE FUNC: KIND `STATEMENT`: REASON`)",
		"line 10: no function name before \": \" (want `- FILE FUNC: KIND `STATEMENT`: REASON`)",
		"line 11: the kind must be one of empty then, empty else, empty case, delete, then the statement in backquotes",
		"line 12: the statement's code span is not closed",
		"line 13: no reason after the statement (\": REASON\")",
		"line 14: \"#x\" is not an occurrence number such as #2",
		"line 15: the statement's code span is not closed",
	}
	if !slices.Equal(msgs, wantErrs) {
		t.Errorf("errors:\n  %s\nwant\n  %s", strings.Join(msgs, "\n  "), strings.Join(wantErrs, "\n  "))
	}
	// What the sweep suggests reads back as the same mutant.
	m := mutation{file: "a.go", fn: "f", kind: kindDelete, text: "s := `x`", occur: 2}
	back, errs := parseExplanations(sweepEntry(m, "why"))
	if len(errs) > 0 || len(back) != 1 || back[0].key() != m.key() {
		t.Errorf("sweepEntry(%+v) = %q reads back as %+v, %v", m, sweepEntry(m, "why"), back, errs)
	}
}

// The sweep of the fixture's lesson 05, with two statements added to its
// solution that no test needs: one explained in sweep.md, one not.
func TestSweep(t *testing.T) {
	t.Parallel()
	root := coursetest.FixtureCopy(t)
	l := coursetest.MustLesson(t, root, 5)
	calc := filepath.Join(l.SolutionDir, "calc.go")
	src := coursetest.ReadFile(t, calc)
	src = strings.Replace(src, "\treturn strings.ToUpper(name) + \"!\"", "\tname = strings.TrimSpace(name)\n\treturn strings.ToUpper(name) + \"!\"", 1)
	src = strings.Replace(src, "\treturn min(max(x, lo), hi)", "\tx = max(x, lo-1)\n\treturn min(max(x, lo), hi)", 1)
	coursetest.WriteFile(t, calc, src)
	coursetest.WriteFile(t, filepath.Join(l.SolutionDir, sweepFile), "# Survivors\n\n"+
		"- calc.go Shout: delete `name = strings.TrimSpace(name)`: the tests shout plain names\n"+
		"- calc.go Sum: delete `total += x`: stale, killed\n"+
		"- calc.go Sum: delete `total = 0`: stale, no such statement\n")
	tm := coursetest.NewTerm(root)
	code := Sweep(t.Context(), tm.Env, l, SweepOptions{Workers: 2})
	out := tm.Out.String()
	if code != term.ExitFail {
		t.Errorf("exit status %d, want %d: a survivor is unexplained", code, term.ExitFail)
	}
	coursetest.AssertInOrder(t, out,
		"sweep lesson 5 (05-caught): 9 mutants in calc.go; 1 declaration left alone\n",
		"the solution passes in ",
		"killed   calc.go:7 Greet: empty then `if name == \"\" { … }`: killed by TestGreet after ",
		"\nSurvivors (every test passed without the statement):\n",
		"ok   calc.go:15 Shout: delete `name = strings.TrimSpace(name)`\n",
		"      explained at solutions/05-caught/sweep.md:3: the tests shout plain names\n",
		"FAIL calc.go:30 Clamp: delete `x = max(x, lo-1)`\n",
		"\nStale entries in solutions/05-caught/sweep.md (remove or update them):\n",
		"note solutions/05-caught/sweep.md:4: calc.go:23 Sum: delete `total += x` no longer survives: killed by TestSum after ",
		"note solutions/05-caught/sweep.md:5: calc.go Sum: delete `total = 0` matches no statement\n",
		"\nEach unexplained survivor is a gap in the tests",
		"    - calc.go Clamp: delete `x = max(x, lo-1)`: REASON\n",
		"\nsweep lesson 5: 9 mutants of 9 statements: 3 killed, 2 survived (1 explained, 1 unexplained), 4 did not build, 2 stale entries; ")
	for _, progress := range []string{"calc.go:10 Greet", "calc.go:16 Shout", "calc.go:22 Sum", "calc.go:23 Sum", "calc.go:25 Sum", "calc.go:31 Clamp"} {
		if !strings.Contains(out, progress) {
			t.Errorf("no progress line for %s; output:\n%s", progress, out)
		}
	}

	// A malformed sweep.md stops the sweep before it runs anything.
	coursetest.WriteFile(t, filepath.Join(l.SolutionDir, sweepFile), "- calc.go Sum: total += x\n")
	tm = coursetest.NewTerm(root)
	code = Sweep(t.Context(), tm.Env, l, SweepOptions{Workers: 1, Only: "calc.go"})
	out = tm.Out.String()
	if code != term.ExitUsage || !strings.Contains(out, "FAIL solutions/05-caught/sweep.md is not as the sweep reads it:\n      line 1: the kind must be") {
		t.Errorf("malformed sweep.md: exit status %d, output:\n%s", code, out)
	}
}
