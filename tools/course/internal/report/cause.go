package report

import "slices"

// A failed test's messages are often the effects of something else in its
// output: a panic, a panic net/http recovered in a handler, a data race. The
// report shows that first, named as the likely cause, so a student does not
// chase an EOF the server's crash explained.

// cause is the likely cause of a failure, condensed.
type cause struct {
	headline string
	lines    []string
}

const (
	panicHeadline     = "The code panicked; this is the likely cause:"
	httpPanicHeadline = "The server panicked; the failures after it are likely its effects:"
	raceHeadline      = "The race detector found two goroutines touching the same memory without synchronisation; " +
		"the failures after it are likely its effects:"
)

// splitCause takes the likely cause out of a failed test's output: a Go
// panic (not a timeout, which the report names on its own), else a panic
// net/http recovered, else the first race report. It returns the cause, or
// nil, and the rest of the output with every other dump condensed.
func splitCause(lines []string, dir string, rel func(string) string) (*cause, []string) {
	lines = dropRaceNotices(lines)
	var c *cause
	if p := panicStart(lines); p >= 0 && timeoutAfter(lines[p:p+1]) == "" {
		c = &cause{panicHeadline, trimTrace(lines[p:], dir, rel)}
		lines = lines[:p]
	} else if start, end, ok := httpPanic(lines, 0); ok {
		c = &cause{httpPanicHeadline, condenseHTTPPanic(lines[start:end], dir, rel)}
		lines = slices.Concat(lines[:start+1], lines[end:]) // the log line stays in the log
	} else if start, end, ok := raceReport(lines, 0); ok {
		c = &cause{raceHeadline, condenseRace(lines[start:end], dir, rel)}
		lines = slices.Concat(lines[:start], lines[end:])
	}
	rest := trimTrace(condenseRaces(dropHTTPStacks(lines), dir, rel), dir, rel)
	return c, rest
}
