package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLongPoll(t *testing.T) {
	checkNoLeaks(t)
	requireStore(t)
	const file = "poll.go (serveLongPoll)"
	// A long timeout, so that an answer that comes is never the timeout's.
	ts := startServer(t, append(fast, "-longpoll-timeout", "1m")...)
	latest := waitForSeq(t, ts, 3)

	t.Run("answers at once when there is news", func(t *testing.T) {
		path := fmt.Sprintf("/longpoll?since=%d", latest-2)
		a := pollAnswerOf(t, path, file, get(t, ts, path, file))
		require.NotEmptyf(t, a.Updates, "GET %s: no updates; want %d and on (look at %s)", path, latest-1, file)
		assert.Equalf(t, latest-1, a.Updates[0].Seq, "GET %s: the first update has seq %d; want %d (look at %s)", path, a.Updates[0].Seq, latest-1, file)
		assert.Equalf(t, a.Updates[len(a.Updates)-1].Seq, a.Next, "GET %s: next is %d; want the seq of the last update returned (look at %s)", path, a.Next, file)
	})

	t.Run("holds until news", func(t *testing.T) {
		n := waitForSeq(t, ts, 0) + 3 // three updates ahead: 15ms away at -rate 200
		path := fmt.Sprintf("/longpoll?since=%d", n)
		a := pollAnswerOf(t, path, file, get(t, ts, path, file))
		require.NotEmptyf(t, a.Updates, "GET %s with -longpoll-timeout 1m: answered with no updates; want the request held until update %d is published, about 15ms later (look at %s)", path, n+1, file)
		assert.Equalf(t, n+1, a.Updates[0].Seq, "GET %s: the first update has seq %d; want %d (look at %s)", path, a.Updates[0].Seq, n+1, file)
	})

	t.Run("waits without spinning and ends when the client goes away", func(t *testing.T) {
		n := latest + 1_000_000 // never comes
		path := fmt.Sprintf("/longpoll?since=%d", n)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ts.addr+path, nil)
		answered := make(chan error, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				err = fmt.Errorf("answered %s", resp.Status)
			}
			answered <- err
		}()

		// Watch the handler's goroutine while it waits: it should be
		// parked on a channel (or a condition), not sleeping in a loop or
		// running. Updates come every 5ms, so it may wake now and then.
		deadline := time.Now().Add(readTimeout)
		var waiting []string
		for len(waiting) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: no goroutine in serveLongPoll %v after the request; want the handler waiting (look at %s)", path, readTimeout, file)
			}
			select {
			case err := <-answered:
				t.Fatalf("GET %s with -longpoll-timeout 1m: %v before any update after %d; want the request held (look at %s)", path, err, n, file)
			default:
			}
			waiting = goroutinesIn("serveLongPoll")
			time.Sleep(time.Millisecond) // sampling the goroutines, not waiting for the server
		}
		busy, states := 0, map[string]int{}
		const samples = 40
		for range samples {
			for _, g := range goroutinesIn("serveLongPoll") {
				s := state(g)
				states[s]++
				if s == "sleep" || s == "running" || s == "runnable" || strings.Contains(g, "time.Sleep(") {
					busy++
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
		assert.LessOrEqualf(t, busy, samples/4, "GET %s: while it waited for news, the goroutine in serveLongPoll was seen %v in %d looks; want it parked on a channel (select) until an update or its timeout: a loop that sleeps and polls the store costs CPU for every waiting client (look at %s)",
			path, states, samples, file)

		cancel() // the client goes away
		<-answered
		deadline = time.Now().Add(readTimeout)
		for len(goroutinesIn("serveLongPoll")) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v after the client went away, its handler still waits in serveLongPoll; want it to return once r.Context() is done, or every vanished client holds a goroutine for the whole timeout (look at %s)", path, readTimeout, file)
			}
			time.Sleep(5 * time.Millisecond) // sampling, as above
		}
	})

	for _, bad := range badSince {
		t.Run("since="+bad+": 400", func(t *testing.T) {
			path := "/longpoll?since=" + url.QueryEscape(bad)
			requireJSONError(t, path, file, get(t, ts, path, file))
		})
	}

	t.Run("times out with no updates", func(t *testing.T) {
		ts := startServer(t, append(fast, "-longpoll-timeout", "100ms")...)
		n := uint64(1_000_000_000)
		path := fmt.Sprintf("/longpoll?since=%d", n)
		start := time.Now()
		a := pollAnswerOf(t, path, file, get(t, ts, path, file))
		took := time.Since(start)
		assert.Emptyf(t, a.Updates, "GET %s with -longpoll-timeout 100ms: got %s; want none (look at %s)", path, seqRange(a.Updates), file)
		assert.Equalf(t, n, a.Next, "GET %s with -longpoll-timeout 100ms: next is %d; want %d, since itself (look at %s)", path, a.Next, n, file)
		assert.GreaterOrEqualf(t, took, 90*time.Millisecond, "GET %s with -longpoll-timeout 100ms: answered after %v; want it held for the timeout, s.longpollTimeout (look at %s)", path, took.Round(time.Millisecond), file)
	})
}
