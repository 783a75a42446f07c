// Package hints reads a lesson's hints.md: one `## TestName` section per test,
// in lesson order. The order of the sections is the order tests are shown in.
package hints

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FileName is the hints file in every lesson folder.
const FileName = "hints.md"

// Hint is one section: the test it belongs to and the text under its heading.
type Hint struct {
	Test string
	Text string // trimmed Markdown, without the heading
}

// Parse reads sections in the order they appear. Text before the first
// `## ` heading (the title) is dropped, and headings inside fenced code blocks
// are text, not sections. Duplicates are kept, for verify to report.
func Parse(r io.Reader) ([]Hint, error) {
	var (
		out   []Hint
		body  []string
		fence bool
	)
	flush := func() {
		if len(out) > 0 {
			out[len(out)-1].Text = strings.TrimSpace(strings.Join(body, "\n"))
		}
		body = body[:0]
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(line, "## ") {
			flush()
			out = append(out, Hint{Test: strings.TrimSpace(strings.TrimPrefix(line, "## "))})
			continue
		}
		body = append(body, line)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	flush()
	return out, nil
}

// Load reads dir/hints.md.
func Load(dir string) ([]Hint, error) {
	f, err := os.Open(filepath.Join(dir, FileName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	hs, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return hs, nil
}

// Find returns the hint for test, and whether there is one.
func Find(hs []Hint, test string) (Hint, bool) {
	for _, h := range hs {
		if h.Test == test {
			return h, true
		}
	}
	return Hint{}, false
}
