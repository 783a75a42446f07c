package conformance

import (
	"fmt"
	"strings"
)

// Verdict is how a case went.
type Verdict int

// The verdicts, from best to worst.
const (
	// Pass: the server did what RFC 6455 requires, the preferred way.
	Pass Verdict = iota
	// NonStrict: allowed by the RFC but not preferred, such as failing on
	// invalid UTF-8 at the end of a message rather than at the first bad
	// byte, or dropping TCP where a close frame was expected.
	NonStrict
	// Fail: the server broke a requirement of the RFC or of the course.
	Fail
)

func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case NonStrict:
		return "non-strict"
	}
	return "fail"
}

// MarshalText writes a verdict as its name in JSON.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Case is one conformance case.
type Case struct {
	ID       string // "section.group.number", like Autobahn's
	Section  int
	Sends    string // what the client sends
	Requires string // what RFC 6455 (or the course) requires of the server
	// long multiplies the case's timeout, for cases that send many
	// messages on purpose.
	long int
	run  func(*session) error
}

// sectionNames are the sections, numbered as Autobahn's where they overlap.
var sectionNames = map[int]string{
	1:  "Framing",
	2:  "Pings and pongs",
	3:  "Reserved bits",
	4:  "Opcodes",
	5:  "Fragmentation",
	6:  "UTF-8",
	7:  "Close handling",
	9:  "Limits and throughput",
	10: "Delivery in pieces",
}

// SectionName is the title of section n.
func SectionName(n int) string {
	if name, ok := sectionNames[n]; ok {
		return name
	}
	return fmt.Sprintf("Section %d", n)
}

// Cases returns every case, in order.
func Cases() []Case {
	var all []Case
	for _, section := range []func(*builder){
		framingCases, pingCases, rsvCases, opcodeCases, fragmentCases,
		utf8Cases, closeCases, limitCases, deliveryCases,
	} {
		b := &builder{}
		section(b)
		all = append(all, b.cases...)
	}
	return all
}

// builder numbers the cases of one section as they are added.
type builder struct {
	section, group, n int
	cases             []Case
}

// start begins group g of section sec.
func (b *builder) start(sec, g int) { b.section, b.group, b.n = sec, g, 0 }

// add adds a case to the current group.
func (b *builder) add(sends, requires string, run func(*session) error) *Case {
	b.n++
	b.cases = append(b.cases, Case{
		ID:       fmt.Sprintf("%d.%d.%d", b.section, b.group, b.n),
		Section:  b.section,
		Sends:    sends,
		Requires: requires,
		run:      run,
	})
	return &b.cases[len(b.cases)-1]
}

// matches reports whether the case is selected by only: IDs or their
// prefixes at a dot ("6", "6.3", "6.3.2"). An empty only selects all.
func (c Case) matches(only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		o = strings.TrimSpace(o)
		if c.ID == o || strings.HasPrefix(c.ID, o+".") {
			return true
		}
	}
	return false
}

// pattern is n bytes of printable ASCII, so that a wrong echo shows where
// it went wrong.
func pattern(n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[i%len(alphabet)]
	}
	return b
}

// noise is n bytes of every value, as binary payloads should carry.
func noise(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// chunks cuts b into pieces of size n.
func chunks(b []byte, n int) [][]byte {
	var out [][]byte
	for len(b) > n {
		out = append(out, b[:n])
		b = b[n:]
	}
	return append(out, b)
}

// fragments makes a message of op from the pieces: the first frame has op,
// the rest are continuations, the last has FIN.
func fragments(op byte, pieces ...[]byte) []frame {
	out := make([]frame, len(pieces))
	for i, p := range pieces {
		f := frame{op: opCont, payload: p, more: i < len(pieces)-1}
		if i == 0 {
			f.op = op
		}
		out[i] = f
	}
	return out
}

// size names a byte count the way the cases do.
func size(n int) string {
	switch {
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
