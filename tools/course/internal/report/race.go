package report

import (
	"fmt"
	"regexp"
	"strings"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/english"
)

// The race detector writes a report like this into the test's output, and
// the testing package then fails the test with "race detected during
// execution of test":
//
//	==================
//	WARNING: DATA RACE
//	Write at 0x00c000100018 by goroutine 22:
//	  wscourse/lessons/01-x.(*hub).relay()
//	      /home/ann/course/lessons/01-x/hub.go:14 +0x44
//	  ...
//
//	Previous read at 0x00c000100018 by goroutine 19:
//	  ...
//
//	Goroutine 22 (running) created at:
//	  ...
//	==================

const (
	raceRule  = "=================="
	raceTitle = "WARNING: DATA RACE"
)

// raceNotice is the testing package's line after a race; the report says it.
var raceNotice = regexp.MustCompile(`^\s*testing\.go:\d+: race detected during execution of test$`)

// dropRaceNotices leaves out the testing package's "race detected" lines.
func dropRaceNotices(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !raceNotice.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// raceReport returns where the first race report at or after lines[from]
// starts and ends (the index after its closing rule), or ok false.
func raceReport(lines []string, from int) (start, end int, ok bool) {
	for i := from; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != raceTitle {
			continue
		}
		start = i
		if i > 0 && strings.TrimSpace(lines[i-1]) == raceRule {
			start = i - 1
		}
		for end = i + 1; end < len(lines); end++ {
			if strings.TrimSpace(lines[end]) == raceRule {
				return start, end + 1, true
			}
		}
		return start, end, true // cut short: the report runs to the end
	}
	return 0, 0, false
}

// condenseRace turns one race report into its access lines ("Write at ...
// by goroutine 22:", "Previous read at ..."), each followed by its frames in
// the lesson's files, and the lines saying where those goroutines were
// created, when the lesson's code created them.
func condenseRace(report []string, dir string, rel func(string) string) []string {
	s := &stack{dir: dir, rel: rel}
	var out []string
	for i := 0; i < len(report); {
		line := strings.TrimSpace(report[i])
		if line == "" || line == raceRule || line == raceTitle || !strings.HasSuffix(line, ":") {
			i++
			continue
		}
		var frames []string
		frames, i = s.frames(report, i+1)
		if len(frames) > 0 || !strings.HasPrefix(line, "Goroutine ") {
			out = append(out, line)
			out = append(out, frames...)
		}
	}
	return append(out, s.leftOut()...)
}

// condenseRaces condenses every race report in lines where it stands, and
// leaves out a report at the same places in the code as one shown before
// (the same race, on other addresses or goroutines).
func condenseRaces(lines []string, dir string, rel func(string) string) []string {
	var out []string
	seen := map[string]bool{}
	repeats := 0
	for from := 0; ; {
		start, end, ok := raceReport(lines, from)
		if !ok {
			out = append(out, lines[from:]...)
			if repeats > 0 {
				out = append(out, fmt.Sprintf("(%s at the same places in the code left out)", english.Count(repeats, "more race report")))
			}
			return out
		}
		out = append(out, lines[from:start]...)
		report := condenseRace(lines[start:end], dir, rel)
		if key := raceKey(report); seen[key] {
			repeats++
		} else {
			seen[key] = true
			out = append(out, raceTitle)
			out = append(out, term.IndentLines(report, "  ")...)
		}
		from = end
	}
}

// raceNumbers are the parts of a race report that differ between two reports
// of the same race: addresses and goroutine numbers.
var raceNumbers = regexp.MustCompile(`0x[0-9a-f]+|[Gg]oroutine \d+`)

func raceKey(report []string) string {
	return raceNumbers.ReplaceAllString(strings.Join(report, "\n"), "#")
}
