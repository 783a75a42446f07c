package report

import (
	"context"
	"os/exec"
	"strings"
	"sync"

	"wscourse/tools/course/internal/term"
)

// Lesson tests run with -race, so that a data race a student writes fails
// their run. Where the race detector cannot work (it needs cgo everywhere but
// macOS, and a few platforms lack it), they run without it and the report
// says so in one line. The decision is made once per process: asking again
// for every lesson would only repeat the same answer.
var lessonRace raceSwitch

// RaceOff returns why lesson tests run without -race, or "" when they run
// with it.
func RaceOff(ctx context.Context) string { return lessonRace.off(ctx) }

type raceSwitch struct {
	mu      sync.Mutex
	decided bool
	note    string // why the tests run without -race; "" while they run with it
}

// off returns why lesson tests run without -race, or "" when they run with
// it, asking `go env` the first time.
func (s *raceSwitch) off(ctx context.Context) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.decided {
		s.decided = true
		out, err := exec.CommandContext(ctx, "go", "env", "GOOS", "CGO_ENABLED").Output()
		if vals := strings.Fields(string(out)); err == nil && len(vals) == 2 {
			s.note = raceNote(vals[0], vals[1], "")
		}
	}
	return s.note
}

// turnOff records that a run with -race failed for want of the race
// detector, and returns why; it returns "" when goOut (what go said) is not
// about the race detector.
func (s *raceSwitch) turnOff(goOut string) string {
	note := raceNote("", "", goOut)
	if note != "" {
		s.mu.Lock()
		s.decided, s.note = true, note
		s.mu.Unlock()
	}
	return note
}

// raceNote decides whether go test can take -race: from `go env GOOS` and
// `go env CGO_ENABLED` before any run, or from goOut, what go printed when a
// run with -race failed. It returns the line the report shows when it
// cannot, and "" when it can.
func raceNote(goos, cgoEnabled, goOut string) string {
	const (
		without = "note: the tests run without the race detector, so data races go unnoticed: "
		enable  = "; to turn it on, install a C compiler (gcc or clang) and set CGO_ENABLED=1"
	)
	switch {
	case cgoEnabled == "0" && goos != "darwin", strings.Contains(goOut, "-race requires cgo"):
		return without + "it needs cgo, which is off here (`go env CGO_ENABLED` is 0)" + enable
	case strings.Contains(goOut, "cgo: C compiler"):
		return without + "it needs a C compiler, and cgo found none" + enable
	case strings.Contains(goOut, "-race is not supported on "):
		_, platform, _ := strings.Cut(goOut, "-race is not supported on ")
		return without + "Go has none for " + term.FirstLine(strings.TrimSpace(platform))
	}
	return ""
}
