// Package mistakes reads a solution's mistakes.md: the mistakes students are
// likely to make in a lesson, each a small edit to the reference solution,
// with the test that must report it first and words its message must hold.
// verify makes each edit in a copy of the lesson and checks the report.
package mistakes

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileName is the mistakes file in every solution folder.
const FileName = "mistakes.md"

// DefaultLimit is how long one mistake's test run may take when its list
// sets no limit: what a student waits for `make lesson-N`, at most.
const DefaultLimit = 10 * time.Second

// File is a parsed mistakes.md.
type File struct {
	Lesson   string // from the "# Mistakes: NAME" heading
	Mistakes []Mistake
}

// Mistake is one `## Title` section.
type Mistake struct {
	Title       string
	Line        int    // of its heading
	Description string // the prose under the heading, trimmed
	File        string // the file the edits are made in, relative to the lesson
	Test        string // the test that must fail first, in lesson order
	Says        []string
	Limit       time.Duration
	Edits       []Edit
}

// Edit is one pair of `replace` and `with` blocks. Both hold their lines
// exactly as written, each ending in a newline; an empty With deletes.
type Edit struct {
	Line    int // of the replace block's opening fence
	Replace string
	With    string
}

// Error is one problem in a mistakes file.
type Error struct {
	Line  int
	Title string // the mistake it is in; empty before the first
	Msg   string
}

func (e *Error) Error() string {
	if e.Title == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d: %q: %s", e.Line, e.Title, e.Msg)
}

// Errors is every problem Parse found, in line order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads and parses dir/mistakes.md. A parse failure is an Errors.
func Load(dir string) (*File, error) {
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		return nil, err
	}
	return Parse(string(data))
}

// Apply makes the mistake's edits to content, in order, each on the text
// the ones before it left. Each replace text must occur exactly once, so
// that an edit cannot land somewhere its author did not mean.
func (m *Mistake) Apply(content string) (string, error) {
	for i, e := range m.Edits {
		after := ""
		if i > 0 {
			after = " (after the edits above it)"
		}
		switch n := occurrences(content, e.Replace); n {
		case 1:
			content = strings.Replace(content, e.Replace, e.With, 1)
		case 0:
			msg := fmt.Sprintf("the replace text is not in %s%s", m.File, after)
			switch {
			case strings.Contains(content, strings.TrimSuffix(e.Replace, "\n")):
				msg += "; it is there, but not at the end of a line: a block's text ends with its last line's line break, so quote lines to their end"
			case strings.Contains(squash(content), squash(e.Replace)):
				msg += "; it is there with other white space (tabs and spaces count)"
			}
			return "", &Error{Line: e.Line, Title: m.Title, Msg: msg}
		default:
			return "", &Error{Line: e.Line, Title: m.Title, Msg: fmt.Sprintf(
				"the replace text occurs %d times in %s%s; quote more lines so that it occurs once", n, m.File, after)}
		}
	}
	return content, nil
}

// occurrences counts where s starts in content, overlapping ones included.
func occurrences(content, s string) int {
	if s == "" {
		return 0 // Parse refuses an empty replace block
	}
	n := 0
	for i := 0; ; {
		j := strings.Index(content[i:], s)
		if j < 0 {
			return n
		}
		n++
		i += j + 1
	}
}

// squash collapses every run of white space to one space.
func squash(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
