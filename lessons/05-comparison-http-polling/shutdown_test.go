package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShutdown opens one client of every kind and shuts the server down as
// SIGTERM does: each must be let go at once.
func TestShutdown(t *testing.T) {
	checkNoLeaks(t)
	requireStore(t)
	ts := startServer(t, append(fast, "-longpoll-timeout", "1m")...)
	latest := waitForSeq(t, ts, 3)

	// A long-poll for an update that will not come before the shutdown.
	since := latest + 1_000_000
	longpoll := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*readTimeout)
	defer cancel()
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/longpoll?since=%d", ts.addr, since), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			longpoll <- err
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			longpoll <- fmt.Errorf("answered %s with a body that did not end (%v) after %q: one answer, then return", resp.Status, err, short(body))
			return
		}
		var a pollAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			longpoll <- fmt.Errorf("answered %s with a body that is not one JSON object (%v): %q", resp.Status, err, short(body))
			return
		}
		if resp.StatusCode != http.StatusOK || len(a.Updates) != 0 || a.Next != since {
			longpoll <- fmt.Errorf("answered %s with %s and next %d", resp.Status, seqRange(a.Updates), a.Next)
		}
		longpoll <- nil
	}()
	sse := openSSE(t, ctx, ts, "")
	sse.update(t, "the first event")
	ws := dialWS(t, ts, nil)
	wsUpdate(t, ws, "the first message")
	// A client that never answers the server's close frame: the server waits
	// s.cfg.closeWait for the answer, then closes all the same.
	mute := dialWS(t, ts, nil)
	mute.SetCloseHandler(func(int, string) error { return nil }) // and no answer
	wsUpdate(t, mute, "the first message to the client that will not answer the close")
	// The long-poll must be waiting before the shutdown, not on its way.
	for deadline := time.Now().Add(readTimeout); len(goroutinesIn("serveLongPoll")) == 0; {
		require.Falsef(t, time.Now().After(deadline), "GET /longpoll?since=%d: no goroutine in serveLongPoll %v after the request; want the handler waiting (look at poll.go)", since, readTimeout)
		time.Sleep(time.Millisecond) // sampling the goroutines, not waiting for the server
	}

	start := time.Now()
	ts.cancel() // what SIGTERM does

	select {
	case err := <-longpoll:
		require.NoErrorf(t, err, "GET /longpoll?since=%d after SIGTERM; want 200 with {\"updates\":[],\"next\":%d} at once, when s.closing is done (look at poll.go)", since, since)
	case <-time.After(readTimeout):
		require.FailNowf(t, "long-poll held", "GET /longpoll?since=%d with -longpoll-timeout 1m: no answer %v after SIGTERM; want one at once, when s.closing is done (look at poll.go)", since, readTimeout)
	}

	err := closeAfterUpdates(ws)
	ce, ok := errors.AsType[*websocket.CloseError](err)
	require.Truef(t, ok && ce.Code == websocket.CloseGoingAway, "/ws after SIGTERM: read %v; want close 1001 (going away) when s.closing is done (look at ws.go)", err)
	err = closeAfterUpdates(mute)
	ce, ok = errors.AsType[*websocket.CloseError](err)
	require.Truef(t, ok && ce.Code == websocket.CloseGoingAway, "/ws after SIGTERM, the client that will not answer the close: read %v; want close 1001 (going away) (look at ws.go)", err)
	mute.NetConn().SetReadDeadline(time.Now().Add(readTimeout))
	_, err = io.Copy(io.Discard, mute.NetConn())
	ended := time.Since(start)
	require.NoErrorf(t, err, "/ws after SIGTERM, a client that got the 1001 and never answered: the TCP connection ended with %v; want the server to close it (FIN) once s.cfg.closeWait has passed without an answer (look at ws.go)", err)
	assert.GreaterOrEqualf(t, ended, defaultConfig.closeWait, "/ws after SIGTERM, a client that got the 1001 and never answered: the server closed the connection %v after SIGTERM; want it to wait s.cfg.closeWait (%v here) for the answer first, as RFC 6455 asks: after the close frame, wait for readWS to end or closeWait to pass, whichever comes first (look at ws.go)", ended.Round(time.Millisecond), defaultConfig.closeWait)

	for {
		_, err := sse.next()
		if err == nil {
			continue
		}
		requireBlankLines(t, err, "the events after SIGTERM")
		require.Truef(t, errors.Is(err, io.EOF), "GET /sse after SIGTERM: read %v; want the stream ended when s.closing is done (look at sse.go)", err)
		break
	}

	err = ts.shutdownBy(start.Add(2 * time.Second))
	require.NoErrorf(t, err, "2s after SIGTERM, with a long-poll, an event stream and a WebSocket answered; want run returned by then (does every handler of poll.go, sse.go and ws.go end once s.closing is done?)")
	assert.NotContainsf(t, ts.logs.String(), "cutting them off", "server log after every client was let go in time")
}
