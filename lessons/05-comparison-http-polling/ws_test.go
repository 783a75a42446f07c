package main

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWS(t *testing.T) {
	checkNoLeaks(t)
	requireStore(t)
	ts := startServer(t, append(fast, "-ping-period", "20ms", "-pong-wait", "1s")...)
	latest := waitForSeq(t, ts, 10)

	t.Run("one text message per update, starting with the next", func(t *testing.T) {
		pings := make(chan struct{}, 100)
		c := dialWS(t, ts, pings)
		first := wsUpdate(t, c, "the first message")
		assert.Greaterf(t, first.Seq, latest, "/ws opened after update %d: the first message is update %d; want the next update, not the backlog (look at ws.go)", latest, first.Seq)
		prev := first.Seq
		for i := 2; i <= 30; i++ {
			u := wsUpdate(t, c, "message "+strconv.Itoa(i))
			require.Equalf(t, prev+1, u.Seq, "/ws: message %d is update %d after %d; want every update, one per message, in order (look at ws.go)", i, u.Seq, prev)
			prev = u.Seq
		}
		assert.NotEmptyf(t, pings, "/ws with -ping-period 20ms: no ping in the 150ms it took to read 30 updates; want a ping every s.cfg.pingPeriod, written by the one writer (look at ws.go)")
	})

	t.Run("refuses a foreign Origin with 403", func(t *testing.T) {
		d := websocket.Dialer{HandshakeTimeout: readTimeout}
		c, resp, err := d.Dial("ws://"+ts.addr+"/ws", http.Header{"Origin": {"http://evil.example"}})
		if err == nil {
			c.Close()
		}
		require.NotNilf(t, resp, "/ws with Origin http://evil.example: %v; want a 403 answer (look at ws.go)", err)
		assert.Equalf(t, http.StatusForbidden, resp.StatusCode, "/ws with Origin http://evil.example: got %s; want 403: CheckOrigin must be s.cfg.origins.allowed (look at ws.go)", resp.Status)
	})

	t.Run("4096 bytes pass, 4097 close with 1009", func(t *testing.T) {
		c := dialWS(t, ts, nil)
		c.SetWriteDeadline(time.Now().Add(readTimeout))
		require.NoError(t, c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("a"), maxMessageSize)), "sending 4096 bytes")
		for i := range 5 {
			wsUpdate(t, c, "update "+strconv.Itoa(i+1)+" after a message of 4096 bytes")
		}
		require.NoError(t, c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("a"), maxMessageSize+1)), "sending 4097 bytes")
		c.SetReadDeadline(time.Now().Add(readTimeout))
		for {
			_, _, err := c.ReadMessage()
			if err == nil {
				continue // updates sent before the close
			}
			var ce *websocket.CloseError
			require.Truef(t, errors.As(err, &ce), "/ws after a message of 4097 bytes: read %v; want close 1009 (message too big): a read limit of maxMessageSize (look at ws.go)", err)
			assert.Equalf(t, websocket.CloseMessageTooBig, ce.Code, "/ws after a message of 4097 bytes: got close %d; want 1009 (look at ws.go)", ce.Code)
			break
		}
	})
}
