package main

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShutdown: SIGTERM closes every client with 1001, the hub stops, and
// the server returns with no goroutine left behind.
func TestShutdown(t *testing.T) {
	checkNoLeaks(t)
	ts := startHub(t)
	requireBroadcast(t, ts)
	requireQueuesOpen(t)
	// Many clients, busy when the server stops: a writer that is writing
	// then finds the shutdown and whatever else has happened meanwhile at
	// once, and must still say 1001.
	const n = 16
	cs := dialJoined(t, ts, n)

	// Client 0 goes on sending for a moment after the server's close frame,
	// as a busy client would, before it answers: its messages reach a hub
	// that has stopped. (Its reading goroutine is then its only writer.)
	cs[0].conn.SetCloseHandler(func(code int, _ string) error {
		for i := range 30 {
			cs[0].conn.SetWriteDeadline(time.Now().Add(readTimeout))
			if cs[0].conn.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "after the close frame %d", i)) != nil {
				break // the server has closed the connection
			}
			time.Sleep(10 * time.Millisecond) // a client's pace, not a wait for the server
		}
		return cs[0].conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(readTimeout))
	})
	// Client 2 never answers: the server gives it s.cfg.closeWait, then
	// closes its connection itself.
	cs[2].conn.SetCloseHandler(func(int, string) error { return nil })
	// A burst in flight when SIGTERM comes (fewer than a queue holds).
	var frames []byte
	for i := range queueSize / 2 {
		frames = appendMasked(frames, fmt.Sprintf("before the shutdown %d", i))
	}
	nc := cs[1].conn.NetConn()
	nc.SetWriteDeadline(time.Now().Add(readTimeout))
	_, err := nc.Write(frames)
	require.NoError(t, err, "client 1: sending a burst")
	start := time.Now()
	ts.cancel() // what SIGTERM does
	var bad []string
	for _, c := range cs {
		_, end, ok := c.expectClose(time.Second)
		require.Truef(t, ok, "%s: after SIGTERM, nothing but messages for 1s; want close 1001 (going away) (look at %s: s.closing)", c.name, writerFile)
		if end.code != websocket.CloseGoingAway {
			bad = append(bad, fmt.Sprintf("%s got %s", c.name, end))
		}
	}
	if len(bad) > 0 {
		why := ""
		if strings.Contains(strings.Join(bad, ""), "1008") {
			why = " 1008 comes from a queue closed by the hub: does run close the queues when it stops? The writers see the shutdown themselves (s.closing); a closed queue tells a writer its client was evicted (look at hub.go: run)."
		}
		t.Fatalf("after SIGTERM, %d of %d clients did not get close 1001 (going away): %s.%s (look at %s: s.closing)", len(bad), n, strings.Join(bad, "; "), why, writerFile)
	}
	// The clients answered the close frames as they read them, but one,
	// which the server closes closeWait after its close frame.
	err = ts.shutdownBy(start.Add(2 * time.Second))
	require.NoErrorf(t, err, "2s after SIGTERM, every client but one had answered the close frame, and that one had s.cfg.closeWait (%v); want run returned by then. Is a goroutine of yours still blocked: writePump after the close handshake, or readPump in publish on a hub that has stopped? (look at hub.go: publish, and %s; the goroutines still running are listed below)", defaultConfig.closeWait, writerFile)
	logs := ts.logs.String()
	assert.NotContainsf(t, logs, "did not stop", "server log after shutdown: the hub kept running; want hub.run to return once its ctx is done (look at hub.go: run)")
	assert.NotContainsf(t, logs, "cutting them off", "server log: a WebSocket was still open when shutdown gave up on it; want each handler returned once its client answers, or s.cfg.closeWait after the close frame for the client that never answers: does writePump close the connection when that wait is over? Is readPump blocked, for example in publish on a hub that has stopped? (look at hub.go: publish, and %s)", writerFile)
	_, err = net.DialTimeout("tcp", ts.addr, time.Second)
	require.Errorf(t, err, "connecting after shutdown succeeded; want the listener closed")
}

// requireQueuesOpen stops a hub of its own, with clients that have queues
// and no connections, and fails unless every queue is still open: a closed
// queue tells a writer that its client was evicted, and it says 1008.
func requireQueuesOpen(t *testing.T) {
	t.Helper()
	h, stop := runHub(t)
	cs := make([]*client, 3)
	for i := range cs {
		cs[i] = &client{send: make(chan *message, queueSize)}
		require.Truef(t, h.join(cs[i]), "hub.join returned false before the hub stopped; want true (look at hub.go: join)")
	}
	if !stop(readTimeout) {
		t.Fatalf("hub.run still running %v after its ctx ended; want it returned (look at hub.go: run)", readTimeout)
	}
	for i, c := range cs {
		select {
		case _, ok := <-c.send:
			require.Truef(t, ok, "a hub with 3 clients stopped, and the queue of client %d was closed; want every queue left open at shutdown: a closed queue tells a writer that its client was evicted, and it says 1008 \"too slow\" where every client must get 1001. The writers see the shutdown themselves (s.closing) (look at hub.go: run)", i)
		default:
		}
	}
}
