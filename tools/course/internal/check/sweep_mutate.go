package check

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The kinds of mutation the sweep makes, as sweep.md names them.
const (
	kindDelete = "delete"     // the statement is cut out
	kindThen   = "empty then" // an if's then-body is emptied: its condition's branch is lost
	kindElse   = "empty else" // an if's else (or else-if chain) is cut
	kindCase   = "empty case" // a switch or select clause's body is emptied
)

// mutationKinds are the kinds, longest first, for the sweep.md parser.
var mutationKinds = []string{kindThen, kindElse, kindCase, kindDelete}

// mutation is one edit of a solution file: a byte range cut out.
type mutation struct {
	file  string // the file's name in the solution folder
	line  int
	fn    string // the enclosing function: "name" or "Type.method"
	kind  string
	text  string // the statement's source on one line, bodies shown as { … }
	occur int    // 1 for the first mutation of this file, fn, kind and text; 2 for the next...

	at         int    // the statement's offset in the file, for source order
	chain      bool   // the cut is an else-if chain, after the then-body's brace
	start, end int    // the byte range cut from the file
	with       string // what replaces it
}

// key names the mutation the way a sweep.md entry does, without the line
// number, so that an explanation survives edits elsewhere in the file.
func (m mutation) key() string {
	return sweepKey(m.file, m.fn, m.kind, m.text, m.occur)
}

func sweepKey(file, fn, kind, text string, occur int) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%d", file, fn, kind, text, occur)
}

// apply returns src with the mutation made. An import the cut statement
// alone used is kept as a blank import, so that the mutant still builds: a
// deleted log call is a mutant worth running.
func (m mutation) apply(src []byte) []byte {
	out := make([]byte, 0, len(src))
	out = append(out, src[:m.start]...)
	out = append(out, m.with...)
	out = append(out, src[m.end:]...)
	return blankUnused(src, out)
}

// blankUnused turns the imports that src uses and mutant no longer does into
// blank imports. An import counts as used where its name (the last element
// of its path when it has none) qualifies an identifier: a wrong guess at
// the name finds no use in src, and leaves the import alone.
func blankUnused(src, mutant []byte) []byte {
	fset := token.NewFileSet()
	orig, err1 := parser.ParseFile(fset, "", src, parser.ImportsOnly)
	mf, err2 := parser.ParseFile(token.NewFileSet(), "", mutant, parser.SkipObjectResolution)
	if err1 != nil || err2 != nil {
		return mutant
	}
	before, after := qualifiers(src), qualifierSet(mf)
	tf := fset.File(orig.Pos())
	// The imports come before the cut, so their offsets hold in mutant;
	// insert from the last, so that earlier offsets hold too.
	for i := len(orig.Imports) - 1; i >= 0; i-- {
		spec := orig.Imports[i]
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil || spec.Name != nil && spec.Name.Name == "_" {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if !before[name] || after[name] {
			continue
		}
		at := tf.Offset(spec.Path.Pos())
		if spec.Name != nil {
			at = tf.Offset(spec.Name.Pos())
			mutant = append(mutant[:at:at], append([]byte("_ "), mutant[tf.Offset(spec.Path.Pos()):]...)...)
			continue
		}
		mutant = append(mutant[:at:at], append([]byte("_ "), mutant[at:]...)...)
	}
	return mutant
}

// qualifiers are the names used as X in X.Sel in src.
func qualifiers(src []byte) map[string]bool {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	return qualifierSet(f)
}

func qualifierSet(f *ast.File) map[string]bool {
	set := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				set[id.Name] = true
			}
		}
		return true
	})
	return set
}

// where is the mutation as the sweep lists it: file:line, function, what.
func (m mutation) where() string {
	return fmt.Sprintf("%s:%d %s: %s", m.file, m.line, m.fn, m.what())
}

// what is the mutation's kind and statement, as a sweep.md entry has them.
func (m mutation) what() string {
	s := m.kind + " " + codeSpan(m.text)
	if m.occur > 1 {
		s += " #" + strconv.Itoa(m.occur)
	}
	return s
}

// codeSpan puts text in a Markdown code span, with a run of backquotes
// longer than any in text.
func codeSpan(text string) string {
	run, longest := 0, 0
	for _, c := range text {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(text, "`") || strings.HasSuffix(text, "`") {
		text = " " + text + " "
	}
	return fence + text + fence
}

// mutations lists the mutations of one solution file, in source order: one
// per statement inside a function body. Statements that declare names (:=
// and var, const and type) are left alone, since no mutant without them
// builds; their number is returned as skipped.
//
//   - A statement is deleted.
//   - An if is not deleted; its then-body is emptied (its condition's branch
//     is lost) and, separately, its else is cut. When the then-body holds a
//     single statement, emptying it is the mutant; that statement is not
//     deleted on its own as well, which would be the same mutant.
//   - A switch or select clause with two statements or more is emptied, as
//     well as each statement deleted.
func mutations(file string, src []byte) (muts []mutation, skipped int, err error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, 0, err
	}
	w := &mutWalker{fset: fset, f: f, src: src, file: file, tf: fset.File(f.Pos())}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		w.fn = funcName(fd)
		w.walk(fd.Body)
	}
	// A block's statements are added before what they hold: put them in
	// source order, which the occurrence numbers follow.
	sort.SliceStable(w.muts, func(i, j int) bool { return w.muts[i].at < w.muts[j].at })
	seen := map[string]int{}
	for i := range w.muts {
		m := &w.muts[i]
		k := sweepKey(m.file, m.fn, m.kind, m.text, 0)
		seen[k]++
		m.occur = seen[k]
	}
	return w.muts, w.skipped, nil
}

// funcName is "name" for a function and "Type.name" for a method.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.ParenExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		case *ast.Ident:
			return x.Name + "." + fd.Name.Name
		}
		return fd.Name.Name
	}
}

type mutWalker struct {
	fset    *token.FileSet
	tf      *token.File
	f       *ast.File
	src     []byte
	file    string
	fn      string
	muts    []mutation
	skipped int
}

func (w *mutWalker) off(p token.Pos) int { return w.tf.Offset(p) }

func (w *mutWalker) add(kind string, at token.Pos, text string, start, end token.Pos, with string) {
	w.muts = append(w.muts, mutation{
		file: w.file, line: w.fset.Position(at).Line, fn: w.fn, kind: kind, text: text, at: w.off(at),
		start: w.off(start), end: w.off(end), with: with,
	})
}

// walk visits every node under n in source order and adds the mutations of
// the statement lists it finds, function literals' included.
func (w *mutWalker) walk(n ast.Node) {
	// alone is the statement an if's then-body holds alone: emptying the
	// body deletes it.
	alone := map[ast.Stmt]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BlockStmt:
			w.list(x.List, alone)
		case *ast.CaseClause:
			if len(x.Body) >= 2 {
				w.add(kindCase, x.Pos(), w.text(x.Pos(), x.Colon+1)+" …", x.Colon+1, x.End(), "")
			}
			w.list(x.Body, alone)
		case *ast.CommClause:
			if len(x.Body) >= 2 {
				w.add(kindCase, x.Pos(), w.text(x.Pos(), x.Colon+1)+" …", x.Colon+1, x.End(), "")
			}
			w.list(x.Body, alone)
		case *ast.IfStmt:
			head := w.text(x.Pos(), x.Body.Lbrace) + " { … }"
			if len(x.Body.List) > 0 {
				w.add(kindThen, x.Pos(), head, x.Body.Lbrace+1, x.Body.Rbrace, "")
			}
			if len(x.Body.List) == 1 {
				alone[x.Body.List[0]] = true
			}
			switch e := x.Else.(type) {
			case *ast.BlockStmt:
				// An else of one statement loses it by that statement's
				// deletion.
				if len(e.List) >= 2 {
					w.add(kindElse, e.Pos(), head, e.Lbrace+1, e.Rbrace, "")
				}
			case *ast.IfStmt:
				w.add(kindElse, e.Pos(), head, x.Body.End(), e.End(), "")
				w.muts[len(w.muts)-1].chain = true
			}
		}
		return true
	})
}

// list adds the deletion of each statement in a statement list.
func (w *mutWalker) list(stmts []ast.Stmt, alone map[ast.Stmt]bool) {
	for _, s := range stmts {
		switch x := s.(type) {
		case *ast.EmptyStmt, *ast.IfStmt, *ast.CaseClause, *ast.CommClause:
			continue // nothing to delete; an if's branches, a clause's statements go instead
		case *ast.DeclStmt:
			w.skipped++
			continue
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				w.skipped++
				continue
			}
		case *ast.LabeledStmt:
			if _, ok := x.Stmt.(*ast.IfStmt); ok {
				continue // its branches are emptied
			}
		}
		if alone[s] {
			continue
		}
		w.add(kindDelete, s.Pos(), w.text(s.Pos(), s.End()), s.Pos(), s.End(), "")
	}
}

// text is the source from start to end on one line: comments left out,
// blocks (bodies, switch clauses) shown as { … }, white space collapsed.
func (w *mutWalker) text(start, end token.Pos) string {
	type cut struct {
		from, to token.Pos
		with     string
	}
	var cuts []cut
	for _, g := range w.f.Comments {
		for _, c := range g.List {
			if c.Pos() >= start && c.End() <= end {
				cuts = append(cuts, cut{c.Pos(), c.End(), " "})
			}
		}
	}
	// The outermost blocks inside the range, except a block that is the
	// range itself (a bare { } statement), whose insides are shown.
	ast.Inspect(w.f, func(n ast.Node) bool {
		if n == nil || n.End() <= start || n.Pos() >= end {
			return false
		}
		b, ok := n.(*ast.BlockStmt)
		if !ok || b.Lbrace < start || b.End() > end || b.Lbrace == start && b.End() == end {
			return true
		}
		cuts = append(cuts, cut{b.Lbrace, b.End(), "{ … }"})
		return false
	})
	var sb strings.Builder
	at := start
	for at < end {
		next := cut{from: end, to: end}
		for _, c := range cuts {
			if c.from >= at && c.from < next.from {
				next = c
			}
		}
		sb.Write(w.src[w.off(at):w.off(next.from)])
		if next.from == end {
			break
		}
		sb.WriteString(next.with)
		at = next.to
	}
	return oneLine(sb.String())
}

var (
	trailingComma = regexp.MustCompile(`,\s*\n\s*([)}\]])`)
	afterOpen     = regexp.MustCompile(`([({\[])[ \t]*\n\s*`)
	beforeClose   = regexp.MustCompile(`\s*\n\s*([)}\]])`)
	spaces        = regexp.MustCompile(`\s+`)
)

// oneLine puts Go source on one line as gofmt would print it there:
// f(\n\ta,\n\tb,\n) becomes f(a, b).
func oneLine(s string) string {
	s = trailingComma.ReplaceAllString(s, "$1")
	s = afterOpen.ReplaceAllString(s, "$1")
	s = beforeClose.ReplaceAllString(s, "$1")
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// notUsed finds the compiler's "declared and not used: x" errors.
var notUsed = regexp.MustCompile(`declared and not used: (\w+)`)

// keepUsed returns the mutation that also keeps using the variables a
// mutant's build found unused (buildOutput), with _ = x where the cut was:
// a loop whose body loses its one use of the loop variable is still a
// mutant worth running. ok is false when the build failed for another
// reason as well, or the cut text does not name the variable.
func (m mutation) keepUsed(src []byte, buildOutput []string) (mutation, bool) {
	var uses []string
	for _, line := range buildOutput {
		if strings.TrimSpace(line) == "" {
			continue
		}
		sm := notUsed.FindStringSubmatch(line)
		if sm == nil {
			return m, false
		}
		if !slices.Contains(uses, sm[1]) {
			uses = append(uses, sm[1])
		}
	}
	if len(uses) == 0 {
		return m, false
	}
	names := identifiers(src[m.start:m.end])
	for i, u := range uses {
		if !names[u] {
			return m, false
		}
		uses[i] = "_ = " + u
	}
	m.with = strings.Join(uses, "; ")
	if m.chain {
		m.with = " else { " + m.with + " }"
	}
	return m, true
}

// identifiers are the names in a piece of Go source.
func identifiers(code []byte) map[string]bool {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(code)), code, nil, 0)
	names := map[string]bool{}
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			return names
		}
		if tok == token.IDENT {
			names[lit] = true
		}
	}
}
