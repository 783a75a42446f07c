package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

const readerFile = "client.go (readPump)"

// TestLimits: bad input from one client closes that client with a code that
// says why, and never reaches, or disturbs, the others.
func TestLimits(t *testing.T) {
	checkNoLeaks(t)
	ts := startHub(t)
	requireBroadcast(t, ts)

	t.Run("65536 bytes pass", func(t *testing.T) {
		listener := dialJoined(t, ts, 1)[0]
		c := dial(t, ts, "sender")
		msg := strings.Repeat("a", maxMessageSize)
		c.send(msg)
		listener.expect(msg, "a message of exactly 64 KiB, the limit", readerFile)
		c.expect(msg, "its own message of exactly 64 KiB", readerFile)
	})

	for _, tc := range []struct {
		name string
		typ  int
		msg  string
		code int
		why  string
	}{
		{"65537 bytes: 1009", websocket.TextMessage, strings.Repeat("a", maxMessageSize+1), websocket.CloseMessageTooBig,
			"a message over the limit of 64 KiB: is there a read limit (SetReadLimit)?"},
		{"text that is not UTF-8: 1007", websocket.TextMessage, "bad \xff byte", websocket.CloseInvalidFramePayloadData,
			"text that is not UTF-8 would make every browser fail its connection: does readPump check it (utf8.Valid) and return errNotUTF8?"},
		{"binary: 1003", websocket.BinaryMessage, "\x00\x01\x02", websocket.CloseUnsupportedData,
			"the hub broadcasts text only: does readPump return errBinary for anything else?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			listener := dialJoined(t, ts, 1)[0]
			c := dial(t, ts, "sender")
			c.conn.SetWriteDeadline(time.Now().Add(readTimeout))
			require.NoError(t, c.conn.WriteMessage(tc.typ, []byte(tc.msg)), "sending the message")
			msgs, end, ok := c.expectClose(readTimeout)
			require.Truef(t, ok, "after sending %s: no close within %v; want close %d. %s (look at %s)", short(tc.msg), readTimeout, tc.code, tc.why, readerFile)
			require.Emptyf(t, msgs, "after sending %s: got %d message(s) back; want close %d and nothing else. %s (look at %s)", short(tc.msg), len(msgs), tc.code, tc.why, readerFile)
			require.Equalf(t, tc.code, end.code, "after sending %s: got %s; want close %d. %s (look at %s)", short(tc.msg), end, tc.code, tc.why, readerFile)
			// The others never see it, and go on receiving.
			listener.send("still fine")
			listener.expect("still fine", "its own message, after another client was closed for bad input (and nothing before it)", hubFiles)
		})
	}
}
