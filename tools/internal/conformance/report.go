package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Tally counts verdicts.
type Tally struct {
	Pass      int `json:"pass"`
	NonStrict int `json:"non_strict"`
	Fail      int `json:"fail"`
}

func (t *Tally) add(v Verdict) {
	switch v {
	case Pass:
		t.Pass++
	case NonStrict:
		t.NonStrict++
	default:
		t.Fail++
	}
}

// SectionTally is the verdicts of one section.
type SectionTally struct {
	Section int    `json:"section"`
	Name    string `json:"name"`
	Tally
}

// Sections tallies the verdicts of each section that ran, in order.
func (r *Results) Sections() []SectionTally {
	var out []SectionTally
	for _, c := range r.Cases {
		if len(out) == 0 || out[len(out)-1].Section != c.Section {
			out = append(out, SectionTally{Section: c.Section, Name: SectionName(c.Section)})
		}
		out[len(out)-1].add(c.Verdict)
	}
	return out
}

// Total tallies every case.
func (r *Results) Total() Tally {
	var t Tally
	for _, c := range r.Cases {
		t.add(c.Verdict)
	}
	return t
}

// Failed reports whether any case failed.
func (r *Results) Failed() bool { return r.Total().Fail > 0 }

// why joins a case's reasons into one line.
func (c CaseResult) why() string { return strings.Join(c.Why, "; ") }

// summaryLines caps the cases the terminal lists: a server that fails at
// the handshake would otherwise print every case; the report has them all.
const summaryLines = 30

// WriteSummary writes what a terminal shows: the verdicts per section, a
// line for each case that did not pass (up to summaryLines), and the
// throughput measured.
func (r *Results) WriteSummary(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "RFC 6455 conformance of %s: %d cases in %.1fs\n\n", r.URL, len(r.Cases), r.Seconds)
	fmt.Fprintf(&b, "%-28s %6s %11s %6s\n", "section", "pass", "non-strict", "fail")
	for _, s := range r.Sections() {
		fmt.Fprintf(&b, "%-28s %6d %11d %6d\n", fmt.Sprintf("%2d %s", s.Section, s.Name), s.Pass, s.NonStrict, s.Fail)
	}
	t := r.Total()
	fmt.Fprintf(&b, "%-28s %6d %11d %6d\n", "   total", t.Pass, t.NonStrict, t.Fail)
	if t.NonStrict+t.Fail > 0 {
		b.WriteString("\nnot passed:\n")
		listed := 0
		for _, c := range r.Cases {
			if c.Verdict == Pass {
				continue
			}
			if listed == summaryLines {
				fmt.Fprintf(&b, "  ... and %d more, each in the report\n", t.NonStrict+t.Fail-listed)
				break
			}
			listed++
			fmt.Fprintf(&b, "  %-8s %-10s %s: %s\n", c.ID, c.Verdict, c.Sends, c.why())
		}
	}
	if rates := r.rates(); len(rates) > 0 {
		b.WriteString("\nthroughput, one message at a time:\n")
		for _, c := range rates {
			tp := c.Throughput
			fmt.Fprintf(&b, "  %-8s %-28s %9.1f MB/s %10.0f messages/s\n", c.ID, fmt.Sprintf("%s, %s", kindOf(c), size(tp.Size)), tp.MBps, tp.PerSec)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// rates are the cases that measured throughput.
func (r *Results) rates() []CaseResult {
	var out []CaseResult
	for _, c := range r.Cases {
		if c.Throughput != nil {
			out = append(out, c)
		}
	}
	return out
}

// kindOf is "text" or "binary" for a throughput case, read from what it sends.
func kindOf(c CaseResult) string {
	if strings.Contains(c.Sends, " text ") {
		return "text"
	}
	return "binary"
}

// verdictMark is a verdict as a Markdown report shows it.
func verdictMark(v Verdict) string {
	switch v {
	case Pass:
		return "pass"
	case NonStrict:
		return "**non-strict**"
	}
	return "**FAIL**"
}

// WriteMarkdown writes a report for a person: the tallies, the throughput,
// one line per case, then every case that did not pass with its reasons
// and the transcript of its connection.
func (r *Results) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# RFC 6455 conformance of %s\n\n", r.URL)
	fmt.Fprintf(&b, "%d cases, run %s in %.1fs, %s per case at most.\n\n", len(r.Cases), r.Started.UTC().Format("2006-01-02 15:04:05 MST"), r.Seconds, r.Timeout)
	b.WriteString("| section | pass | non-strict | fail |\n| --- | ---: | ---: | ---: |\n")
	for _, s := range r.Sections() {
		fmt.Fprintf(&b, "| %d %s | %d | %d | %d |\n", s.Section, s.Name, s.Pass, s.NonStrict, s.Fail)
	}
	t := r.Total()
	fmt.Fprintf(&b, "| **total** | %d | %d | %d |\n", t.Pass, t.NonStrict, t.Fail)
	b.WriteString("\nA case is **non-strict** when the server did what RFC 6455 allows but not what it prefers.\n")

	if rates := r.rates(); len(rates) > 0 {
		b.WriteString("\n## Throughput\n\nMessages sent one at a time, each echo awaited before the next; MB/s counts payload one way.\n\n")
		b.WriteString("| case | type | size | messages | MB/s | messages/s |\n| --- | --- | ---: | ---: | ---: | ---: |\n")
		for _, c := range rates {
			tp := c.Throughput
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %.1f | %.0f |\n", c.ID, kindOf(c), size(tp.Size), tp.Messages, tp.MBps, tp.PerSec)
		}
	}

	section := -1
	for _, c := range r.Cases {
		if c.Section != section {
			section = c.Section
			fmt.Fprintf(&b, "\n## %d %s\n\n", section, SectionName(section))
		}
		line := fmt.Sprintf("- %s %s: %s", c.ID, verdictMark(c.Verdict), c.Sends)
		if c.Verdict != Pass {
			line += fmt.Sprintf(" ([details](#case-%s))", strings.ReplaceAll(c.ID, ".", ""))
		}
		b.WriteString(line + "\n")
	}

	failed := slices.IndexFunc(r.Cases, func(c CaseResult) bool { return c.Verdict != Pass }) >= 0
	if failed {
		b.WriteString("\n## Cases that did not pass\n")
		for _, c := range r.Cases {
			if c.Verdict == Pass {
				continue
			}
			fmt.Fprintf(&b, "\n### Case %s\n\n", c.ID)
			fmt.Fprintf(&b, "- verdict: %s, in %.1f ms\n- sends: %s\n- requires: %s\n", verdictMark(c.Verdict), c.MS, c.Sends, c.Requires)
			for _, why := range c.Why {
				fmt.Fprintf(&b, "- got: %s\n", why)
			}
			fmt.Fprintf(&b, "\n```text\n%s```\n", FormatTranscript(c.Transcript))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the results for tools: every case with its verdict, and
// the transcripts of those that did not pass.
func (r *Results) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*Results
		Sections []SectionTally `json:"sections"`
		Total    Tally          `json:"total"`
	}{r, r.Sections(), r.Total()})
}
