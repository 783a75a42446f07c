package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
		h := startHooked(t, serveTimeout, "-longpoll-timeout", "1m")
		n := h.publishN(3)
		path := fmt.Sprintf("/longpoll?since=%d", n)
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		answered := make(chan got, 1)
		go func() {
			g := got{status: -1}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+h.ts.addr+path, nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				g = gotOf(resp, body)
			}
			answered <- g
		}()
		// Publish once the handler has looked and found nothing: no sooner,
		// so that an answer before it is the handler's own doing.
		h.lookedAt(t, 0, path)
		for published := false; ; {
			select {
			case g := <-answered:
				require.Truef(t, published, "GET %s with -longpoll-timeout 1m: answered %d with %q before any update after %d; want the request held until update %d is published (look at %s)", path, g.status, g.body, n, n+1, file)
				a := pollAnswerOf(t, path, file, g)
				require.NotEmptyf(t, a.Updates, "GET %s with -longpoll-timeout 1m: answered with no updates; want the request held until update %d is published (look at %s)", path, n+1, file)
				assert.Equalf(t, n+1, a.Updates[0].Seq, "GET %s: the first update has seq %d; want %d (look at %s)", path, a.Updates[0].Seq, n+1, file)
				return
			case <-ctx.Done():
				require.Failf(t, "no answer", "GET %s: no answer within %v, though update %d was published; want it answered as soon as there is news (look at %s)", path, readTimeout, n+1, file)
			default:
			}
			if !published && len(goroutinesIn("serveLongPoll")) > 0 && parked("serveLongPoll") {
				h.publishN(1)
				published = true
			}
			time.Sleep(time.Millisecond) // sampling the goroutines, not waiting for the server
		}
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

	t.Run("answers every kept update after since", func(t *testing.T) {
		h := startHooked(t, serveTimeout)
		h.publishN(10)
		const path = "/longpoll?since=3"
		a := pollAnswerOf(t, path, file, get(t, h.ts, path, file))
		assert.Truef(t, isRun(a.Updates, 4, 10), "GET %s after updates 1 to 10: got %s; want 4 to 10: every kept update after since at once, as /poll answers; one a request costs the client a round trip per update, and it falls behind (look at %s)", path, seqRange(a.Updates), file)
		assert.Equalf(t, uint64(10), a.Next, "GET %s after updates 1 to 10: next is %d; want 10, the seq of the last update answered (look at %s)", path, a.Next, file)
	})

	t.Run("next is the last update answered, though another came meanwhile", func(t *testing.T) {
		h := startHooked(t, serveTimeout)
		h.publishN(3)
		h.st.arm() // the handler's look publishes update 4 right after it
		a := pollAnswerOf(t, "/longpoll?since=0", file, get(t, h.ts, "/longpoll?since=0", file))
		require.NotEmptyf(t, a.Updates, "GET /longpoll?since=0 after updates 1 to 3: no updates (look at %s)", file)
		last := a.Updates[len(a.Updates)-1].Seq
		assert.Equalf(t, last, a.Next, "GET /longpoll?since=0: got %s and next %d, with update %d published right after the handler's look (since); want next %d, the seq of the last update answered: a next taken from latest() skips the update published in between (look at %s)", seqRange(a.Updates), a.Next, h.st.fired.Load(), last, file)
	})

	t.Run("an update published between the look and the wait wakes it", func(t *testing.T) {
		const timeout = time.Second
		h := startHooked(t, serveTimeout, "-longpoll-timeout", timeout.String())
		latest := h.publishN(3)
		h.st.arm() // the handler's first look publishes the next update right after it
		path := fmt.Sprintf("/longpoll?since=%d", latest)
		start := time.Now()
		a := pollAnswerOf(t, path, file, get(t, h.ts, path, file))
		took := time.Since(start).Round(time.Millisecond)
		require.Falsef(t, len(a.Updates) == 0 && took < timeout/2, "GET %s with -longpoll-timeout %v: answered with no updates after %v; want the request held until update %d is published, or the timeout (look at %s)", path, timeout, took, latest+1, file)
		require.Truef(t, isRun(a.Updates, latest+1, latest+1), "GET %s with -longpoll-timeout %v: got %s after %v; want update %d at once: %s (look at %s)", path, timeout, seqRange(a.Updates), took, latest+1, lostWakeup, file)
		assert.Lessf(t, took, timeout, "GET %s with -longpoll-timeout %v: answered update %d only after %v; want it at once: it was published between the handler's look and its wait, a lost wakeup (look at %s)", path, timeout, latest+1, took, file)
	})

	t.Run("outlives the server's read and write timeouts", func(t *testing.T) {
		// serve.go's 10s against the default 25s, in the same ratio.
		const httpTimeout, timeout = 100 * time.Millisecond, 250 * time.Millisecond
		h := startHooked(t, httpTimeout, "-longpoll-timeout", timeout.String())
		latest := h.publishN(3)
		path := fmt.Sprintf("/longpoll?since=%d", latest)
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+h.ts.addr+path, nil)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		took := time.Since(start).Round(time.Millisecond)
		const fix = "net/http fails a write past the server's write deadline (serve.go's WriteTimeout), which is set for requests that answer at once: set a write deadline of s.cfg.writeWait when the answer is written (http.ResponseController's SetWriteDeadline)"
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("GET %s with -longpoll-timeout %v: no answer within %v; want 200 with {\"updates\":[],\"next\":%d} after the timeout: a timer of s.longpollTimeout in the handler's select, and when it fires, the answer (look at %s)", path, timeout, readTimeout, latest, file)
		}
		require.NoErrorf(t, err, "GET %s with -longpoll-timeout %v, on a server whose WriteTimeout is %v: %v after %v; want 200 with {\"updates\":[],\"next\":%d} after the timeout: %s (look at %s)", path, timeout, httpTimeout, err, took, latest, fix, file)
		g := gotOf(resp, body)
		require.Truef(t, g.status == http.StatusOK && len(body) > 0, "GET %s with -longpoll-timeout %v, on a server whose WriteTimeout is %v: got %s with body %q after %v; want 200 with {\"updates\":[],\"next\":%d} after the timeout: %s (look at %s)", path, timeout, httpTimeout, resp.Status, body, took, latest, fix, file)
		a := pollAnswerOf(t, path, file, g)
		assert.Truef(t, len(a.Updates) == 0 && a.Next == latest, "GET %s with -longpoll-timeout %v: got %s and next %d; want none and next %d (look at %s)", path, timeout, seqRange(a.Updates), a.Next, latest, file)
	})

	t.Run("a client that stops reading is let go after -write-wait", func(t *testing.T) {
		const wait = 200 * time.Millisecond
		h := startHooked(t, serveTimeout, "-write-wait", wait.String())
		for range keep {
			h.st.feed.publish(fatSymbol, 1, time.Now())
		}
		stalledClient(t, h.ts, "/longpoll?since=0")
		h.lookedAt(t, 0, "GET /longpoll?since=0")
		const limit = wait + time.Second
		took, ok := h.endedWithin(limit)
		require.Truef(t, ok, "GET /longpoll?since=0 with 1000 updates of 1 KiB kept and -write-wait %v, from a client that never reads the answer: its handler still wrote %v later; want it to give up after about %v: a write deadline of s.cfg.writeWait, set right before the answer (http.ResponseController's SetWriteDeadline), or every client that stops reading holds a goroutine and a megabyte (look at %s)", wait, limit, wait, file)
		t.Logf("the handler gave up on the client that stopped reading after %v", took.Round(time.Millisecond))
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

	t.Run("since with an epoch", func(t *testing.T) { testEpochs(t, "/longpoll", file) })
}
