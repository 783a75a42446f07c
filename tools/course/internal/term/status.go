package term

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"wscourse/tools/internal/gotest"
)

// Timing of the status line. Nothing shows before statusDelay, so a warm
// run prints nothing extra; after it, a terminal's line is redrawn every
// statusTick, and plain output (CI, a pipe) gets a line when the text
// changes, at most every statusGap, and at least every statusBeat.
const (
	statusDelay = 2 * time.Second
	statusTick  = 500 * time.Millisecond
	statusGap   = 2 * time.Second
	statusBeat  = 4 * time.Second
	statusQuiet = 3 * time.Second
)

// Status says what a long wait is doing, on stderr so that the report on
// stdout stays the same: in a terminal one line rewritten in place and
// erased at the end, elsewhere plain lines. Its methods are safe for
// concurrent use, as go test's notes come from more than one goroutine.
type Status struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool // a terminal: rewrite one line with \r
	width int  // a live line is cut to fit
	now   func() time.Time
	begun time.Time // nothing shows before begun+statusDelay

	Prefix     string    // before every line: "verify: "
	text, note string    // the phase: "lesson 1: running the tests"; note, said once
	detail     string    // what changes within it: "TestEcho, 3 passed"
	since      time.Time // when the phase began, for its elapsed seconds
	// then is the phase that follows when no update came for statusQuiet:
	// go says when each download starts but not when the build does.
	then      string
	updatedAt time.Time
	end       time.Time // when the phase should end, if known: "about 40s left"

	drawn       string // the live line on screen, "" when none
	printed     string // the text of the last plain line
	noted       string // the note last printed in plain mode
	printedAt   time.Time
	stopTicking func()
}

// NewStatus starts a status on stderr that draws on its own every
// statusTick until Done.
func (e *Env) NewStatus() *Status {
	width := 80
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 20 {
		width = n
	}
	s := NewStatusAt(e.Stderr, e.LiveStatus, width, time.Now)
	t := time.NewTicker(statusTick)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.Tick()
			}
		}
	})
	s.stopTicking = func() { t.Stop(); close(stop); wg.Wait() }
	return s
}

// NewStatusAt is a status width columns wide that draws only when Tick is
// called: tests drive it with their own clock.
func NewStatusAt(w io.Writer, live bool, width int, now func() time.Time) *Status {
	t := now()
	return &Status{w: w, live: live, width: width, now: now, begun: t, since: t}
}

// Phase starts a new stage of the wait; note, if any, says what to expect
// ("the first build takes up to a minute").
func (s *Status) Phase(text, note string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Not drawn until the next update or tick: a phase often starts
	// with one, and plain output should not say it bare first.
	s.text, s.note, s.detail, s.since, s.then, s.end = text, note, "", s.now(), "", time.Time{}
}

// ExpectIn says the phase should be over in d: the line counts down to it.
func (s *Status) ExpectIn(d time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.end = s.now().Add(d)
	s.draw()
}

// phaseThen is Phase, followed by the phase then once updates stop for
// statusQuiet; that phase's clock starts at the last update.
func (s *Status) phaseThen(text, note, then string) {
	if s == nil {
		return
	}
	s.Phase(text, note)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.then, s.updatedAt = then, s.since
}

// Update changes what the phase is doing now, keeping its clock.
func (s *Status) Update(detail string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.detail, s.updatedAt = detail, s.now()
	s.draw()
}

// Tick redraws the line, or prints a heartbeat when nothing changed.
func (s *Status) Tick() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draw()
}

// Done stops the status and erases its line, before the report.
func (s *Status) Done() {
	if s == nil {
		return
	}
	if s.stopTicking != nil {
		s.stopTicking()
		s.stopTicking = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drawn != "" {
		fmt.Fprint(s.w, EraseLine)
		s.drawn = ""
	}
	s.text = "" // nothing more, even from a late note
}

// Println writes line to w, which shares the terminal with the status: the
// live line is erased first and drawn again after it.
func (s *Status) Println(w io.Writer, line string) {
	if s == nil {
		fmt.Fprintln(w, line)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drawn != "" {
		fmt.Fprint(s.w, EraseLine)
		s.drawn = ""
	}
	fmt.Fprintln(w, line)
	s.draw()
}

// line is the text, its elapsed seconds, and what it does now.
func (s *Status) line(now time.Time, detail bool) string {
	line := s.Prefix + s.text
	if secs := int(now.Sub(s.since).Seconds()); secs > 0 {
		line += fmt.Sprintf(" (%ds)", secs)
	}
	if detail && s.detail != "" {
		line += ": " + s.detail
	}
	if !s.end.IsZero() {
		if left := s.end.Sub(now); left >= time.Second {
			line += fmt.Sprintf(", about %v left", left.Round(time.Second))
		} else {
			line += ", almost done"
		}
	}
	return line
}

// liveLine is the line that fits the terminal: the note may go short and the
// detail go, so that what it does and how long it takes stay in view.
func (s *Status) liveLine(now time.Time) string {
	notes := []string{""}
	if s.note != "" {
		notes = []string{"; " + s.note}
		if short := shortNotes[s.note]; short != "" {
			notes = append(notes, "; "+short)
		}
	}
	var line string
	for _, detail := range []bool{true, false} {
		for _, note := range notes {
			line = s.line(now, detail) + note
			if utf8.RuneCountInString(line) < s.width {
				return line
			}
		}
	}
	return cut(line, s.width-1)
}

func (s *Status) draw() {
	now := s.now()
	if s.then != "" && now.Sub(s.updatedAt) >= statusQuiet {
		s.text, s.detail, s.since, s.then = s.then, "", s.updatedAt, ""
	}
	if s.text == "" || now.Sub(s.begun) < statusDelay {
		return
	}
	if s.live {
		line := s.liveLine(now)
		if line != s.drawn {
			fmt.Fprint(s.w, EraseLine+line)
			s.drawn = line
		}
		return
	}
	current := s.text + ": " + s.detail
	changed := current != s.printed
	since := now.Sub(s.printedAt)
	line := s.line(now, true)
	if s.printedAt.IsZero() || changed && since >= statusGap || since >= statusBeat {
		if s.note != "" && s.note != s.noted {
			line += "; " + s.note
			s.noted = s.note
		}
		fmt.Fprintln(s.w, line)
		s.printed, s.printedAt = current, now
	}
}

// cut shortens s to n characters, marking the cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Notes of the status line while go test runs; BuildNote is also a plain
// build's.
const (
	raceBuildNote = "the first build of a lesson takes up to a minute; later runs take a second or two"
	BuildNote     = "the first build of a lesson takes a while; later runs take a second or two"
)

// shortNotes are the notes as a narrow terminal shows them.
var shortNotes = map[string]string{
	raceBuildNote: "up to a minute the first time",
	BuildNote:     "a while the first time",
}

// GoTest shows a go test run of what ("lesson 1") on s, and returns the
// Notify that keeps it up to date: downloads, the build, then which test
// runs and how many passed. A nil s shows nothing.
func (s *Status) GoTest(what string, race bool) func(gotest.Note) {
	if s == nil {
		return nil
	}
	build, note := what+": building", BuildNote
	if race {
		build, note = what+": building with the race detector", raceBuildNote
	}
	s.Phase(build, note)
	var mu sync.Mutex
	downloading, running := false, false
	passed, failed := 0, 0
	return func(n gotest.Note) {
		mu.Lock()
		defer mu.Unlock()
		switch n.Kind {
		case gotest.Download:
			if !downloading {
				downloading = true
				s.phaseThen(what+": downloading modules", note, build)
			}
			s.Update(n.Module)
		case gotest.Start:
			if !running {
				running = true
				s.Phase(what+": running the tests", "")
			}
		case gotest.RunTest:
			s.Update(testCount(n.Test, passed, failed))
		case gotest.PassTest:
			passed++
		case gotest.FailTest:
			failed++
		}
	}
}

// testCount is the detail of a run: the test running and the count so far.
func testCount(test string, passed, failed int) string {
	d := fmt.Sprintf("%s, %d passed", test, passed)
	if failed > 0 {
		d += fmt.Sprintf(", %d failed", failed)
	}
	return d
}
