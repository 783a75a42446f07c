package mistakes

import (
	"errors"
	"testing"
)

func TestApply(t *testing.T) {
	const src = "func f() {\n\tx := 1\n\ty := 2\n\treturn x + y\n}\n"
	for _, c := range []struct {
		name  string
		edits []Edit
		want  string // the edited text, or the error
	}{
		{"found once", []Edit{{Line: 9, Replace: "\ty := 2\n", With: "\ty := 3\n"}},
			"func f() {\n\tx := 1\n\ty := 3\n\treturn x + y\n}\n"},
		{"deletion", []Edit{{Line: 9, Replace: "\tx := 1\n", With: ""}},
			"func f() {\n\ty := 2\n\treturn x + y\n}\n"},
		{"in order", []Edit{{Line: 9, Replace: "x := 1", With: "x := 5"}, {Line: 15, Replace: "x := 5\n\ty", With: "x := 6\n\ty"}},
			"func f() {\n\tx := 6\n\ty := 2\n\treturn x + y\n}\n"},
		{"not found", []Edit{{Line: 9, Replace: "z := 1\n", With: ""}},
			`line 9: "T": the replace text is not in a.go`},
		{"not found after an edit", []Edit{{Line: 9, Replace: "x := 1", With: "x := 5"}, {Line: 15, Replace: "x := 1", With: "x := 6"}},
			`line 15: "T": the replace text is not in a.go (after the edits above it)`},
		{"other white space", []Edit{{Line: 9, Replace: "    x := 1\n", With: ""}},
			`line 9: "T": the replace text is not in a.go; it is there with other white space (tabs and spaces count)`},
		{"part of a line", []Edit{{Line: 9, Replace: "x :=\n", With: "x =\n"}},
			`line 9: "T": the replace text is not in a.go; it is there, but not at the end of a line: a block's text ends with its last line's line break, so quote lines to their end`},
		{"found twice", []Edit{{Line: 9, Replace: "\treturn x", With: "\treturn 2*x"}, {Line: 15, Replace: " := ", With: " = "}},
			`line 15: "T": the replace text occurs 2 times in a.go (after the edits above it); quote more lines so that it occurs once`},
		{"overlapping", []Edit{{Line: 9, Replace: "+ y\n}\n", With: ""}, {Line: 15, Replace: "\t", With: ""}},
			`line 15: "T": the replace text occurs 3 times in a.go (after the edits above it); quote more lines so that it occurs once`},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &Mistake{Title: "T", File: "a.go", Edits: c.edits}
			got, err := m.Apply(src)
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("Apply error %v is not an *Error", err)
			}
			if err != nil {
				got = err.Error()
			}
			if got != c.want {
				t.Errorf("Apply =\n%q\nwant\n%q", got, c.want)
			}
		})
	}
	if n := occurrences("aaa", "aa"); n != 2 {
		t.Errorf(`occurrences("aaa", "aa") = %d, want 2: overlapping matches count`, n)
	}
}
