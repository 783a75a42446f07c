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

	t.Run("Last-Event-ID that is not a seq: 400", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ts.addr+"/sse", nil)
		req.Header.Set("Last-Event-ID", "yesterday")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err, "GET /sse with Last-Event-ID: yesterday")
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		requireJSONError(t, "/sse with Last-Event-ID: yesterday", "sse.go", got{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body})
	})

	t.Run("each event flushed at once", func(t *testing.T) {
		// Five updates a second: unflushed, kilobytes of events would take
		// many seconds to pile up.
		ts := startServer(t, "-rate", "5")
		const wait = time.Second // five updates' time
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		s := openSSE(t, ctx, ts, "")
		_, err := s.next()
		require.NoErrorf(t, err, "GET /sse with -rate 5: no event within %v; want one about 200ms after connecting: net/http buffers what a handler writes, so does each event get flushed (http.ResponseController's Flush)? (look at sse.go)", wait)
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
			require.Truef(t, errors.Is(err, io.EOF), "GET /sse: after SIGTERM the stream read %v after %v; want it ended (EOF) at once when s.closing is done (look at sse.go)", err, time.Since(start).Round(time.Millisecond))
			break
		}
	})
}
