package lesson

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TestFuncs returns the lesson's top-level Test* and Fuzz* functions, in the
// order of the *_test.go files (by name) and of the functions in each file. It
// parses the files without type-checking, so it works on a starter that does
// not build.
func (l Lesson) TestFuncs() ([]string, error) {
	files, err := filepath.Glob(filepath.Join(l.Dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var names []string
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if ok && fn.Recv == nil && isTestName(fn.Name.Name) {
				names = append(names, fn.Name.Name)
			}
		}
	}
	return names, nil
}

// isTestName follows go test: TestX or FuzzX where X does not start with a
// lower-case letter (Testing is not a test).
func isTestName(name string) bool {
	for _, prefix := range []string{"Test", "Fuzz"} {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		if rest == "" {
			return true
		}
		r, _ := utf8.DecodeRuneInString(rest)
		return !unicode.IsLower(r)
	}
	return false
}
