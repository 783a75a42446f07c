package main

import (
	"strings"
	"testing"
	"time"

	"wscourse/tools/course/internal/coursetest"
	"wscourse/tools/course/internal/term"
)

func TestBenchUsage(t *testing.T) {
	t.Parallel()
	if code, _ := runCmd(t, coursetest.Fixture(t), "bench", "-nope"); code != term.ExitUsage {
		t.Errorf("bench -nope: exit status %d, want %d", code, term.ExitUsage)
	}
	// The fixture's lesson 5 has no cmd/compare to build.
	te := newTestEnv(coursetest.Fixture(t))
	if code := run(t.Context(), te.env, []string{"bench"}); code != term.ExitFail {
		t.Errorf("bench without a cmd/compare: exit status %d, want %d", code, term.ExitFail)
	}
	if got := te.errOut.String(); !strings.Contains(got, "cmd/compare") {
		t.Errorf("bench without a cmd/compare said %q; want it to name cmd/compare", got)
	}
}

// cmd/compare's output reaches stdout unchanged, however it is split, and
// the status says the run, the transport last measured and the time left:
// in a terminal erased before each line and drawn again after it.
func TestBenchLines(t *testing.T) {
	compareOut := "building the server: /x\nserver 127.0.0.1:1, -rate 10\nabout 1m0s to go\nrun 1/3 poll-100ms   10 updates/s\nrun 1/3 sse   10 updates/s\nmemory longpoll -rate 0.01 200 connections: 40.1 kB each\ntable"
	for _, live := range []bool{false, true} {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var status strings.Builder
		s := term.NewStatusAt(&status, live, 80, func() time.Time { return now })
		// tickFor moves the clock on by d, ticking as the status line's ticker would.
		tickFor := func(d time.Duration) {
			for end := now.Add(d); now.Before(end); {
				now = now.Add(500 * time.Millisecond)
				s.Tick()
			}
		}
		var stdout strings.Builder
		b := &benchLines{s: s, out: &stdout}
		tickFor(3 * time.Second)
		for i := 0; i < len(compareOut); i += 7 {
			_, _ = b.Write([]byte(compareOut[i:min(i+7, len(compareOut))]))
			if strings.Contains(compareOut[i:min(i+7, len(compareOut))], "\n") {
				tickFor(5 * time.Second)
			}
		}
		b.flush()
		s.Done()
		if got := stdout.String(); got != compareOut+"\n" {
			t.Errorf("live=%v: stdout %q, want compare's output %q", live, got, compareOut+"\n")
		}
		got := status.String()
		for _, want := range []string{
			"bench: building the server",
			"bench: measuring",
			": run 1, the first transport, about ",
			": run 1/3, 1 measured (last: poll-100ms), about 5",
			": run 1/3, 2 measured (last: sse), about 50s left",
			": run 1/3, 2 measured (last: sse), about 46s left", // counting down between lines
			": memory per connection (last: longpoll), about ",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("live=%v: no status %q in:\n%s", live, want, got)
			}
		}
	}
}
