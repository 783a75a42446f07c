package check

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// sweepFile is the file in a lesson's solution folder that explains the
// mutants its tests let survive.
const sweepFile = "sweep.md"

// explanation is one entry of sweep.md: a list item
//
//   - FILE FUNC: KIND `STATEMENT` [#N]: REASON
//
// such as
//
//   - hub.go hub.run: delete `log.Printf("hub: %d clients", len(h.clients))`: the log is not part of the contract
//
// FILE is a solution file, FUNC the enclosing function ("name" or
// "Type.method"), KIND one of delete, empty then, empty else, empty case,
// STATEMENT the text the sweep prints (in a code span: `...`, or “...“
// when it holds a backquote), #N the occurrence when the same text comes
// more than once in the function, and REASON why no test should fail.
// Lines that are not list items are prose, left alone.
type explanation struct {
	line   int
	file   string
	fn     string
	kind   string
	text   string
	occur  int
	reason string
}

func (x explanation) key() string { return sweepKey(x.file, x.fn, x.kind, x.text, x.occur) }

// entry is the explanation as sweep.md has it.
func (x explanation) entry() string {
	m := mutation{file: x.file, fn: x.fn, kind: x.kind, text: x.text, occur: x.occur}
	return sweepEntry(m, x.reason)
}

// sweepEntry is the sweep.md line that explains m.
func sweepEntry(m mutation, reason string) string {
	return fmt.Sprintf("- %s %s: %s: %s", m.file, m.fn, m.what(), reason)
}

// sweepError is a line of sweep.md that is not an entry.
type sweepError struct {
	line int
	msg  string
}

func (e sweepError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// loadExplanations reads path; a missing file explains nothing.
func loadExplanations(path string) ([]explanation, []error, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	xs, errs := parseExplanations(string(data))
	return xs, errs, nil
}

// parseExplanations reads sweep.md's entries; each line that starts like a
// list item and is not an entry, and each entry given twice, is an error.
func parseExplanations(text string) ([]explanation, []error) {
	var (
		out  []explanation
		errs []error
		seen = map[string]int{}
	)
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimRight(line, " \t\r")
		rest, ok := strings.CutPrefix(line, "- ")
		if !ok {
			continue
		}
		x, msg := parseEntry(rest)
		if msg != "" {
			errs = append(errs, sweepError{n, msg})
			continue
		}
		x.line = n
		if at, dup := seen[x.key()]; dup {
			errs = append(errs, sweepError{n, fmt.Sprintf("explains the same mutant as line %d", at)})
			continue
		}
		seen[x.key()] = n
		out = append(out, x)
	}
	return out, errs
}

const entryForm = "want `- FILE FUNC: KIND `STATEMENT`: REASON`"

// parseEntry reads an entry after its "- "; msg says what is wrong with it.
func parseEntry(s string) (x explanation, msg string) {
	file, rest, ok := strings.Cut(s, " ")
	if !ok || !strings.HasSuffix(file, ".go") {
		return x, fmt.Sprintf("%q is not a .go file name (%s)", file, entryForm)
	}
	fn, rest, ok := strings.Cut(rest, ": ")
	if !ok || fn == "" || strings.ContainsAny(fn, " \t`") {
		return x, fmt.Sprintf("no function name before \": \" (%s)", entryForm)
	}
	kind := ""
	for _, k := range mutationKinds {
		if after, ok := strings.CutPrefix(rest, k+" `"); ok {
			kind, rest = k, "`"+after
			break
		}
	}
	if kind == "" {
		return x, fmt.Sprintf("the kind must be one of %s, then the statement in backquotes", strings.Join(mutationKinds, ", "))
	}
	text, rest, ok := cutCodeSpan(rest)
	if !ok {
		return x, "the statement's code span is not closed"
	}
	if text == "" {
		return x, "the statement is empty"
	}
	occur := 1
	if after, ok := strings.CutPrefix(rest, " #"); ok {
		digits, tail, _ := strings.Cut(after, ":")
		n, err := strconv.Atoi(digits)
		if err != nil || n < 1 {
			return x, fmt.Sprintf("%q is not an occurrence number such as #2", "#"+digits)
		}
		occur, rest = n, ":"+tail
	}
	reason, ok := strings.CutPrefix(rest, ": ")
	if !ok || strings.TrimSpace(reason) == "" {
		return x, "no reason after the statement (\": REASON\")"
	}
	return explanation{file: file, fn: fn, kind: kind, text: text, occur: occur, reason: strings.TrimSpace(reason)}, ""
}

// cutCodeSpan reads the Markdown code span s starts with: a run of
// backquotes, the text, and a run as long. One space inside each end is
// dropped when both have one, so that a text may start with a backquote.
func cutCodeSpan(s string) (text, rest string, ok bool) {
	n := len(s) - len(strings.TrimLeft(s, "`"))
	fence := s[:n]
	body := s[n:]
	for i := 0; i < len(body); {
		j := strings.Index(body[i:], fence)
		if j < 0 {
			return "", "", false
		}
		j += i
		k := j + n
		if k < len(body) && body[k] == '`' || j > 0 && body[j-1] == '`' {
			// a longer run of backquotes belongs to the text
			for k < len(body) && body[k] == '`' {
				k++
			}
			i = k
			continue
		}
		text = body[:j]
		if len(text) >= 2 && text[0] == ' ' && text[len(text)-1] == ' ' && strings.Trim(text, " ") != "" {
			text = text[1 : len(text)-1]
		}
		return text, body[k:], true
	}
	return "", "", false
}
