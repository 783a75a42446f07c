package mistakes

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Parse reads a mistakes file. It is strict: a line it cannot place is an
// error with its number, so that a typo never turns a check off unseen.
func Parse(text string) (*File, error) {
	p := &parser{titles: map[string]int{}}
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1] // the file's last newline ends a line, not starts one
	}
	for i, line := range lines {
		p.line(i+1, line)
	}
	p.end()
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int { return a.Line - b.Line })
		return nil, p.errs
	}
	return &p.file, nil
}

// phase is where in a mistake the parser is: the parts come in this order.
type phase int

const (
	inDescription phase = iota
	inList
	inBlocks
)

type parser struct {
	file    File
	errs    Errors
	header  bool     // the "# Mistakes:" line has been read
	cur     *Mistake // the mistake being read; nil in the introduction
	phase   phase
	desc    []string
	keys    map[string]bool // list keys cur has set
	fence   *block          // the open fenced block, if any
	pending *Edit           // a replace block waiting for its with block
	titles  map[string]int  // lower-case title: the line of its heading
}

// block is a fenced code block being read.
type block struct {
	line  int
	ticks int    // length of the opening fence; the closing one is as long or longer
	kind  string // "replace", "with", or "" when it is not an edit
	body  []string
}

var (
	heading  = regexp.MustCompile(`^(#{1,6})(?:\s+(.*))?$`)
	testName = regexp.MustCompile(`^(Test|Fuzz)([A-Z0-9_]\w*)?$`)
)

func (p *parser) errorf(line int, format string, args ...any) {
	title := ""
	if p.cur != nil {
		title = p.cur.Title
	}
	p.errs = append(p.errs, &Error{Line: line, Title: title, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) line(n int, s string) {
	if p.fence != nil {
		if t := strings.TrimRight(s, " \t\r"); len(t) >= p.fence.ticks && strings.Trim(t, "`") == "" {
			p.closeBlock()
		} else {
			p.fence.body = append(p.fence.body, s)
		}
		return
	}
	t := strings.TrimRight(s, " \t\r")
	if !p.header {
		if t == "" {
			return
		}
		p.header = true
		name, ok := strings.CutPrefix(t, "# Mistakes: ")
		if !ok || strings.TrimSpace(name) == "" {
			p.errorf(n, "the file starts with a heading %q, not %q", "# Mistakes: LESSON", t)
			return
		}
		p.file.Lesson = strings.TrimSpace(name)
		return
	}
	h := heading.FindStringSubmatch(t)
	switch {
	case strings.HasPrefix(t, "```"):
		p.openBlock(n, t)
	case h != nil && h[1] == "##":
		p.startMistake(n, strings.TrimSpace(h[2]))
	case h != nil && p.cur != nil:
		p.errorf(n, "a heading %q inside a mistake: each mistake is one \"## Title\" section, with no headings of its own", t)
	case p.cur == nil:
		// The introduction before the first mistake is free text.
	case t == "":
		if p.phase == inDescription {
			p.desc = append(p.desc, "")
		}
	case strings.HasPrefix(t, "- "):
		p.listItem(n, t[2:])
	case p.phase == inDescription:
		p.desc = append(p.desc, t)
	case p.phase == inList:
		p.errorf(n, "text after the list: only replace and with blocks follow it (a list item is \"- KEY: VALUE\")")
	default:
		p.errorf(n, "text between the code blocks: a mistake ends with its replace and with blocks")
	}
}

func (p *parser) startMistake(n int, title string) {
	p.finish()
	p.cur = &Mistake{Title: title, Line: n, Limit: DefaultLimit}
	p.phase, p.desc, p.keys = inDescription, nil, map[string]bool{}
	if title == "" {
		p.errorf(n, "a mistake's heading has no title")
	}
	if first, dup := p.titles[strings.ToLower(title)]; dup {
		p.errorf(n, "the same title as the mistake at line %d: titles name mistakes in the README and in verify's report", first)
	}
	p.titles[strings.ToLower(title)] = n
}

func (p *parser) listItem(n int, item string) {
	if p.phase == inBlocks {
		p.errorf(n, "a list item after the code blocks: the list comes before them")
		return
	}
	p.phase = inList
	key, val, ok := strings.Cut(item, ":")
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	if !ok || !slices.Contains([]string{"file", "test", "says", "limit"}, key) {
		p.errorf(n, "a list item is \"- KEY: VALUE\" with KEY file, test, says or limit, not %q", "- "+item)
		return
	}
	if val == "" {
		p.errorf(n, "%s: has no value", key)
		return
	}
	if p.keys[key] && key != "says" {
		p.errorf(n, "a second %s: a mistake has one", key)
		return
	}
	p.keys[key] = true
	m := p.cur
	switch key {
	case "file":
		if filepath.Ext(val) != ".go" || strings.HasSuffix(val, "_test.go") || !filepath.IsLocal(val) || strings.Contains(val, `\`) {
			p.errorf(n, "file: %s is not a Go file of the lesson (a file of the solution or a given file, not a test)", val)
		}
		m.File = val
	case "test":
		if !testName.MatchString(val) {
			p.errorf(n, "test: %s is not the name of a Test or Fuzz function", val)
		}
		m.Test = val
	case "says":
		phrases, err := splitSays(val)
		if err != nil {
			p.errorf(n, "says: %v", err)
		}
		m.Says = append(m.Says, phrases...)
	case "limit":
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			p.errorf(n, "limit: %s is not a duration such as 10s or 2.5s", val)
		}
		m.Limit = d
	}
}

// splitSays reads the phrases of one says item, separated by commas; a
// phrase that holds a comma is written as a Go-quoted string.
func splitSays(val string) ([]string, error) {
	var out []string
	for rest := val; ; {
		rest = strings.TrimSpace(rest)
		var phrase string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil, fmt.Errorf("%s: a quoted phrase is one Go string, \"like, this\"", rest)
			}
			phrase, _ = strconv.Unquote(q)
			rest = strings.TrimSpace(rest[len(q):])
			if rest != "" && !strings.HasPrefix(rest, ",") {
				return nil, fmt.Errorf("%s: a comma goes between a quoted phrase and the next", val)
			}
		} else {
			phrase, _, _ = strings.Cut(rest, ",")
			rest = rest[len(phrase):]
		}
		if strings.TrimSpace(phrase) == "" {
			return nil, fmt.Errorf("an empty phrase in %q", val)
		}
		out = append(out, strings.TrimSpace(phrase))
		var more bool
		if rest, more = strings.CutPrefix(rest, ","); !more {
			return out, nil
		}
	}
}

func (p *parser) openBlock(n int, t string) {
	ticks := len(t) - len(strings.TrimLeft(t, "`"))
	info := strings.TrimSpace(t[ticks:])
	p.fence = &block{line: n, ticks: ticks}
	if p.cur == nil {
		return // an example in the introduction
	}
	p.phase = inBlocks
	switch strings.Join(strings.Fields(info), " ") {
	case "go replace", "replace":
		p.fence.kind = "replace"
	case "go with", "with":
		p.fence.kind = "with"
	default:
		p.errorf(n, "a code block in a mistake is %q or %q, not %q", "```go replace", "```go with", t)
	}
}

func (p *parser) closeBlock() {
	b := p.fence
	p.fence = nil
	if p.cur == nil || b.kind == "" {
		return
	}
	var text strings.Builder
	for _, l := range b.body {
		text.WriteString(l + "\n")
	}
	switch b.kind {
	case "replace":
		if p.pending != nil {
			p.errorf(p.pending.Line, "a replace block without a with block after it")
		}
		if text.Len() == 0 {
			p.errorf(b.line, "an empty replace block: quote the lines the mistake changes")
		}
		p.pending = &Edit{Line: b.line, Replace: text.String()}
	case "with":
		if p.pending == nil {
			p.errorf(b.line, "a with block without a replace block before it")
			return
		}
		if text.String() == p.pending.Replace {
			p.errorf(b.line, "the with block is the same as the replace block before it: the edit changes nothing")
		}
		p.pending.With = text.String()
		p.cur.Edits = append(p.cur.Edits, *p.pending)
		p.pending = nil
	}
}

// finish checks the mistake read so far and keeps it.
func (p *parser) finish() {
	m := p.cur
	if m == nil {
		return
	}
	if p.pending != nil {
		p.errorf(p.pending.Line, "a replace block without a with block after it")
		p.pending = nil
	}
	m.Description = strings.TrimSpace(strings.Join(p.desc, "\n"))
	if m.Description == "" {
		p.errorf(m.Line, "no description: say in a sentence or two what the student got wrong and what it breaks")
	}
	for _, key := range []string{"file", "test", "says"} {
		if !p.keys[key] {
			p.errorf(m.Line, "no %q in its list", "- "+key+":")
		}
	}
	if len(m.Edits) == 0 {
		p.errorf(m.Line, "no replace and with blocks: the mistake changes nothing")
	}
	p.file.Mistakes = append(p.file.Mistakes, *m)
	p.cur = nil
}

func (p *parser) end() {
	if p.fence != nil {
		p.errorf(p.fence.line, "a code block that is never closed")
		p.fence = nil
	}
	p.finish()
	if !p.header {
		p.errorf(1, "the file is empty; it starts with a heading %q", "# Mistakes: LESSON")
	}
}
