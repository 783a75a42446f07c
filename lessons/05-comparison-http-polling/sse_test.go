package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSSE(t *testing.T) {
	checkNoLeaks(t)
	requireStore(t)
	ts := startServer(t, fast...)
	latest := waitForSeq(t, ts, 10)

	t.Run("one event per update, id is the seq, starting with the next", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		s := openSSE(t, ctx, ts, "")
		first := s.update(t, "the first event")
		assert.Greaterf(t, first.Seq, latest, "GET /sse opened after update %d: the first event is update %d; want the next update, not the backlog (look at sse.go)", latest, first.Seq)
		prev := first.Seq
		for i := 2; i <= 10; i++ {
			u := s.update(t, "event "+strconv.Itoa(i))
			require.Equalf(t, prev+1, u.Seq, "GET /sse: event %d is update %d after %d; want every update, in order (look at sse.go)", i, u.Seq, prev)
			prev = u.Seq
		}
	})

	t.Run("Last-Event-ID replays what was missed", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		last := latest - 5
		s := openSSE(t, ctx, ts, strconv.FormatUint(last, 10))
		for want := last + 1; want <= latest+1; want++ {
			u := s.update(t, "event "+strconv.FormatUint(want-last, 10))
			require.Equalf(t, want, u.Seq, "GET /sse with Last-Event-ID: %d: got update %d; want %d: the kept updates after the Last-Event-ID first, then the new ones, none missing (look at sse.go)", last, u.Seq, want)
		}
	})

	t.Run("Last-Event-ID with an epoch", func(t *testing.T) {
		h := startHooked(t, serveTimeout)
		h.publishN(5)
		for _, tc := range []struct {
			query, lastID string
			first, last   uint64
			why           string
		}{
			{"?epoch=" + h.epoch, "3", 4, 5, "this run's epoch: the kept updates after the Last-Event-ID"},
			{"", "3", 4, 5, "no epoch means this run's"},
			{"?epoch=another-run", "3", 1, 5, "another run's epoch: the Last-Event-ID counts as 0"},
			{"?epoch=another-run", "1000", 1, 5, "another run's epoch, a Last-Event-ID beyond this run's latest (the old run went further): it counts as 0, not nothing yet"},
			{"?epoch=another-run", "0", 1, 5, "Last-Event-ID 0 with another run's epoch"},
		} {
			path := "/sse" + tc.query
			ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
			s := openSSEAt(t, ctx, h.ts, path, tc.lastID)
			for want := tc.first; want <= tc.last; want++ {
				u := s.update(t, "update "+itoa(want))
				require.Equalf(t, want, u.Seq, "GET %s with Last-Event-ID: %s, of a server (epoch %q) at updates 1 to 5: got update %d; want %d to %d: %s. (%s) (look at sse.go)", path, tc.lastID, h.epoch, u.Seq, tc.first, tc.last, tc.why, epochHint)
				require.Equalf(t, h.epoch, u.Epoch, "GET %s: update %d has epoch %q; want the server's, %q (look at store.go: publish)", path, u.Seq, u.Epoch, h.epoch)
			}
			cancel()
		}

		// Without a Last-Event-ID there is nothing to resume: the stream
		// starts with the next update, whatever the epoch.
		// A server of its own, where no other stream's handler is parked.
		h2 := startHooked(t, serveTimeout)
		h2.publishN(5)
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		s := openSSEAt(t, ctx, h2.ts, "/sse?epoch=another-run", "")
		parkedWithin(t, "serveSSE", "GET /sse?epoch=another-run")
		next := h2.publishN(1)
		u := s.update(t, "the first event")
		require.Equalf(t, next, u.Seq, "GET /sse?epoch=another-run with no Last-Event-ID, of a server at updates 1 to 5, then update %d: got update %d first; want %d: with nothing to resume, the stream starts with the next update, whatever the epoch (look at sse.go)", next, u.Seq, next)
	})

	t.Run("Last-Event-ID that is not a seq: 400", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ts.addr+"/sse", nil)
		req.Header.Set("Last-Event-ID", "yesterday")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err, "GET /sse with Last-Event-ID: yesterday")
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		requireJSONError(t, "/sse with Last-Event-ID: yesterday", "sse.go", gotOf(resp, body))
	})

	// The streams below would each wait out their deadline for events that
	// are not flushed, to say what this one says.
	flushed := false
	t.Run("each event flushed at once", func(t *testing.T) {
		// Five updates a second: unflushed, kilobytes of events would take
		// many seconds to pile up.
		ts := startServer(t, "-rate", "5")
		const wait = time.Second // five updates' time
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		s := openSSE(t, ctx, ts, "")
		_, err := s.next()
		requireBlankLines(t, err, "the first event")
		flushed = err == nil
		require.NoErrorf(t, err, "GET /sse with -rate 5: no event within %v; want one about 200ms after connecting: net/http buffers what a handler writes, so does each event get flushed (http.ResponseController's Flush)? (look at sse.go)", wait)
	})

	t.Run("an update published between the look and the wait wakes it", func(t *testing.T) {
		require.Truef(t, flushed, "not tried: events are not flushed yet (each event flushed at once)")
		h := startHooked(t, serveTimeout)
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		s := openSSE(t, ctx, h.ts, "")
		parkedWithin(t, "serveSSE", "GET /sse")
		h.st.arm() // the handler's next look publishes one more right after it
		first := h.publishN(1)
		u := s.update(t, "update "+itoa(first))
		require.Equalf(t, first, u.Seq, "GET /sse: got update %d; want %d (look at sse.go)", u.Seq, first)
		e, err := s.next()
		requireBlankLines(t, err, "update "+itoa(first+1))
		require.NoErrorf(t, err, "GET /sse: waiting for update %d: %v; want it at once: %s (look at sse.go)", first+1, err, lostWakeup)
		assert.Equalf(t, itoa(first+1), e.id, "GET /sse: got event %+v; want update %d (look at sse.go)", e, first+1)
	})

	t.Run("stays open past the server's timeouts, across keepalives", func(t *testing.T) {
		require.Truef(t, flushed, "not tried: events are not flushed yet (each event flushed at once)")
		// Keepalives more often than the server's write timeout, so that
		// one comes after it.
		const httpTimeout, ping = 100 * time.Millisecond, 25 * time.Millisecond
		h := startHooked(t, httpTimeout, "-ping-period", ping.String())
		ctx, cancel := context.WithTimeout(context.Background(), 3*httpTimeout+readTimeout)
		defer cancel()
		s := openSSE(t, ctx, h.ts, "")
		start := time.Now()
		const setup = "on a server whose WriteTimeout is 100ms, with -ping-period 25ms"
		for time.Since(start) < 3*httpTimeout {
			e, comment, err := s.read(true)
			requireBlankLines(t, err, "the stream")
			require.NoErrorf(t, err, "GET /sse %s, with no updates: the stream ended after %v and %s: %v; want it open, with a comment line every s.cfg.pingPeriod: net/http fails every write past the server's write deadline (serve.go's WriteTimeout), set for requests that answer at once; set a write deadline of s.cfg.writeWait before every write, the keepalive's too (http.ResponseController's SetWriteDeadline) (look at sse.go)",
				setup, time.Since(start).Round(time.Millisecond), plural(s.comments, "comment"), err)
			require.Truef(t, comment, "GET /sse %s: got event %+v; want only comments (look at sse.go)", setup, e)
		}
		require.GreaterOrEqualf(t, s.comments, 3, "GET /sse with -ping-period 25ms: %s in %v; want one every s.cfg.pingPeriod, so that proxies keep a quiet stream open (look at sse.go)", plural(s.comments, "comment"), time.Since(start).Round(time.Millisecond))
		first := h.publishN(2) - 1
		for want := first; want <= first+1; want++ {
			u := s.update(t, "update "+itoa(want)+" after "+plural(s.comments, "comment"))
			require.Equalf(t, want, u.Seq, "GET /sse: got update %d; want %d (look at sse.go)", u.Seq, want)
		}
	})

	t.Run("a client that stops reading is let go after -write-wait", func(t *testing.T) {
		const wait = 200 * time.Millisecond
		h := startHooked(t, serveTimeout, "-write-wait", wait.String())
		stalledClient(t, h.ts, "/sse")
		h.lookedAt(t, 0, "GET /sse")
		for range keep {
			h.st.feed.publish(fatSymbol, 1, time.Now())
		}
		const limit = wait + time.Second
		took, ok := h.endedWithin(limit)
		require.Truef(t, ok, "GET /sse with -write-wait %v, from a client that never reads: 1000 updates of 1 KiB published, and its handler still wrote %v later; want it to give up after about %v: a write deadline of s.cfg.writeWait before every write (http.ResponseController's SetWriteDeadline), or every client that stops reading holds a goroutine for ever (look at sse.go)", wait, limit, wait)
		t.Logf("the handler gave up on the client that stopped reading after %v", took.Round(time.Millisecond))
	})

	t.Run("ends at shutdown", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		s := openSSE(t, ctx, ts, "")
		s.update(t, "the first event")
		start := time.Now()
		ts.cancel() // what SIGTERM does
		for {
			_, err := s.next()
			if err == nil {
				continue // events published before the end
			}
			requireBlankLines(t, err, "the events after SIGTERM")
			require.Truef(t, errors.Is(err, io.EOF), "GET /sse: after SIGTERM the stream read %v after %v; want it ended (EOF) at once when s.closing is done (look at sse.go)", err, time.Since(start).Round(time.Millisecond))
			break
		}
	})
}
