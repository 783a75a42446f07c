package main

import (
	"fmt"
	"net"
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
	cs := dialJoined(t, ts, 2)

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
	start := time.Now()
	ts.cancel() // what SIGTERM does
	for _, c := range cs {
		_, end, ok := c.expectClose(time.Second)
		require.Truef(t, ok, "%s: after SIGTERM, nothing but messages for 1s; want close 1001 (going away) (look at %s: s.closing)", c.name, writerFile)
		require.Equalf(t, websocket.CloseGoingAway, end.code, "%s: after SIGTERM, got %s; want close 1001 (going away) (look at %s: s.closing)", c.name, end, writerFile)
	}
	// The clients answered the close frames as they read them.
	err := ts.shutdownBy(start.Add(2 * time.Second))
	require.NoErrorf(t, err, "2s after SIGTERM, both clients had answered the close frame; want run returned by then. Is a goroutine of yours still blocked: writePump after the close handshake, or readPump in publish on a hub that has stopped? (look at hub.go: publish, and %s; the goroutines still running are listed below)", writerFile)
	logs := ts.logs.String()
	assert.NotContainsf(t, logs, "did not stop", "server log after shutdown: the hub kept running; want hub.run to return once its ctx is done (look at hub.go: run)")
	assert.NotContainsf(t, logs, "cutting them off", "server log: a WebSocket was still open when shutdown gave up on it, though every client answered the close frame in time; want each handler returned once its client answers. Is readPump blocked, for example in publish on a hub that has stopped? (look at hub.go: publish, and %s)", writerFile)
	_, err = net.DialTimeout("tcp", ts.addr, time.Second)
	require.Errorf(t, err, "connecting after shutdown succeeded; want the listener closed")
}
