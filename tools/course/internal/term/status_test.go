package term

import (
	"slices"
	"strings"
	"testing"
	"time"

	"wscourse/tools/internal/gotest"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (c *fakeClock) status(live bool) (*Status, *strings.Builder) {
	var b strings.Builder
	s := NewStatusAt(&b, live, 80, c.now)
	return s, &b
}

// tickFor advances the clock by d in ticks, as the ticker would.
func tickFor(c *fakeClock, s *Status, d time.Duration) {
	for end := c.t.Add(d); c.t.Before(end); {
		c.add(statusTick)
		s.Tick()
	}
}

// A run shorter than statusDelay prints nothing, in either mode: a warm
// `make lesson-N` shows its report and nothing else.
func TestStatusQuietWhenQuick(t *testing.T) {
	for _, live := range []bool{true, false} {
		c := newFakeClock()
		s, out := c.status(live)
		notify := s.GoTest("lesson 1", true)
		tickFor(c, s, statusDelay/2)
		notify(gotest.Note{Kind: gotest.Start})
		notify(gotest.Note{Kind: gotest.RunTest, Test: "TestA"})
		notify(gotest.Note{Kind: gotest.PassTest, Test: "TestA"})
		tickFor(c, s, statusDelay/2-statusTick)
		s.Done()
		if out.Len() != 0 {
			t.Errorf("live=%v: a run under %v printed %q, want nothing", live, statusDelay, out.String())
		}
	}
}

// In a terminal: one line, rewritten in place with its elapsed seconds,
// cut to the width, and erased at the end.
func TestStatusLive(t *testing.T) {
	c := newFakeClock()
	s, out := c.status(true)
	notify := s.GoTest("lesson 1", true)
	notify(gotest.Note{Kind: gotest.Download, Module: "github.com/gorilla/websocket v1.5.3"})
	tickFor(c, s, 2*time.Second)
	notify(gotest.Note{Kind: gotest.Download, Module: "github.com/stretchr/testify v1.11.1"})
	tickFor(c, s, 5*time.Second) // downloads over for statusQuiet: the build
	notify(gotest.Note{Kind: gotest.Start})
	notify(gotest.Note{Kind: gotest.RunTest, Test: "TestHandshake"})
	notify(gotest.Note{Kind: gotest.PassTest, Test: "TestHandshake"})
	notify(gotest.Note{Kind: gotest.RunTest, Test: "TestEcho"})
	tickFor(c, s, time.Second)
	s.Done()
	got := out.String()
	if strings.Contains(got, "\n") {
		t.Errorf("a live status wrote a newline: %q", got)
	}
	frames := strings.Split(got, EraseLine)
	if frames[0] != "" || frames[len(frames)-1] != "" {
		t.Fatalf("want every line drawn after an erase and the last erased: %q", got)
	}
	frames = frames[1 : len(frames)-1]
	want := []string{
		"lesson 1: downloading modules (2s); up to a minute the first time",
		"lesson 1: downloading modules (3s); up to a minute the first time",
		"lesson 1: downloading modules (4s); up to a minute the first time",
		"lesson 1: building with the race detector (3s); up to a minute the first time",
		"lesson 1: building with the race detector (4s); up to a minute the first time",
		"lesson 1: building with the race detector (5s); up to a minute the first time",
		"lesson 1: running the tests: TestHandshake, 0 passed",
		"lesson 1: running the tests: TestEcho, 1 passed",
		"lesson 1: running the tests (1s): TestEcho, 1 passed",
	}
	if !slices.Equal(frames, want) {
		t.Errorf("lines drawn:\n%s\nwant:\n%s", strings.Join(frames, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range frames {
		if n := len([]rune(f)); n > 79 {
			t.Errorf("line of %d characters, want at most 79 on an 80-column terminal: %q", n, f)
		}
	}
	for i := 1; i < len(frames); i++ {
		if frames[i] == frames[i-1] {
			t.Errorf("line %q drawn twice in a row", frames[i])
		}
	}
}

// Elsewhere (CI, a pipe): plain lines, the build's note once, a line when
// something changed at most every statusGap, and one at least every
// statusBeat while nothing does.
func TestStatusPlain(t *testing.T) {
	c := newFakeClock()
	s, out := c.status(false)
	notify := s.GoTest("lesson 1", true)
	tickFor(c, s, 13*time.Second) // a silent build
	notify(gotest.Note{Kind: gotest.Start})
	for _, name := range []string{"TestA", "TestB", "TestC"} {
		notify(gotest.Note{Kind: gotest.RunTest, Test: name})
		c.add(time.Second / 2)
		notify(gotest.Note{Kind: gotest.PassTest, Test: name})
	}
	notify(gotest.Note{Kind: gotest.RunTest, Test: "TestD"})
	tickFor(c, s, 3*time.Second)
	s.Done()
	want := "lesson 1: building with the race detector (2s); " + raceBuildNote + "\n" +
		"lesson 1: building with the race detector (6s)\n" +
		"lesson 1: building with the race detector (10s)\n" +
		"lesson 1: running the tests: TestA, 0 passed\n" +
		"lesson 1: running the tests (2s): TestD, 3 passed\n"
	if got := out.String(); got != want {
		t.Errorf("plain lines:\n%s\nwant:\n%s", got, want)
	}
	tickFor(c, s, 10*time.Second)
	if got := out.String(); got != want {
		t.Errorf("after done, the status printed more:\n%s", strings.TrimPrefix(got, want))
	}
}

// The plain promise: during a long silent wait a line comes at least every
// 5 seconds once the status shows at all.
func TestStatusPlainHeartbeat(t *testing.T) {
	c := newFakeClock()
	s, out := c.status(false)
	s.Phase("lesson 1: building", "")
	last := c.t
	for range 120 { // a minute of ticks
		before := out.Len()
		c.add(statusTick)
		s.Tick()
		if out.Len() > before {
			last = c.t
		}
		if gap := c.t.Sub(last); gap > 5*time.Second {
			t.Fatalf("%v without a line", gap)
		}
	}
}

// A nil status shows nothing and gives go test no Notify.
func TestStatusNil(t *testing.T) {
	var s *Status
	s.Phase("x", "")
	s.Update("y")
	s.Tick()
	s.Done()
	if s.GoTest("lesson 1", true) != nil {
		t.Error("a nil status made a Notify")
	}
}

// A wide terminal gets the whole line, the detail and the full note.
func TestStatusLiveWide(t *testing.T) {
	c := newFakeClock()
	s, out := c.status(true)
	s.width = 200
	notify := s.GoTest("lesson 1", true)
	notify(gotest.Note{Kind: gotest.Download, Module: "github.com/gorilla/websocket v1.5.3"})
	tickFor(c, s, 2*time.Second)
	want := EraseLine + "lesson 1: downloading modules (2s): github.com/gorilla/websocket v1.5.3; " + raceBuildNote
	if got := out.String(); got != want {
		t.Errorf("drew %q, want %q", got, want)
	}
}
