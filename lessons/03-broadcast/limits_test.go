package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
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
	// A ping every 200µs: the writers are busy when a client is closed
	// for bad input.
	ts := startHub(t, "-ping-period", "200us")
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
			for try := range 12 { // a reset comes now and then, not always
				c := dial(t, ts, fmt.Sprintf("sender %d", try+1))
				c.conn.SetWriteDeadline(time.Now().Add(readTimeout))
				require.NoError(t, c.conn.WriteMessage(tc.typ, []byte(tc.msg)), "sending the message")
				// After its close frame the server ends the TCP connection
				// in order, with FIN. Closed with the rest of the client's
				// message unread, it sends a reset (RST) instead, which can
				// destroy the close frame before the client reads it.
				reset := func(what string) {
					t.Fatalf("after sending %s: %s; want close %d, then the TCP connection ended in order (FIN). The server closed the connection with the rest of the client's message unread. When a write fails because a close frame was sent already (websocket.ErrCloseSent: the reader sent it and is ending), the writer must leave the connection to serveClient (main.go), which ends it in order (look at %s)", short(tc.msg), what, tc.code, writerFile)
				}
				msgs, end, ok := c.expectClose(readTimeout)
				require.Truef(t, ok, "after sending %s: no close within %v; want close %d. %s (look at %s)", short(tc.msg), readTimeout, tc.code, tc.why, readerFile)
				require.Emptyf(t, msgs, "after sending %s: got %d message(s) back; want close %d and nothing else. %s (look at %s)", short(tc.msg), len(msgs), tc.code, tc.why, readerFile)
				if errors.Is(end.err, syscall.ECONNRESET) || errors.Is(end.err, syscall.EPIPE) {
					// EPIPE: gorilla answered the close frame and found the
					// connection reset.
					reset(fmt.Sprintf("the connection was reset (%v)", end.err))
				}
				if end.code == websocket.ClosePolicyViolation {
					t.Fatalf("after sending %s: got %s; want close %d. 1008 \"too slow\" comes from a writer that found its queue closed, which means evicted: does the hub close a client's queue when it leaves? Only an eviction closes a queue; a leave only takes the client out of the set (look at hub.go: run)", short(tc.msg), end, tc.code)
				}
				require.Equalf(t, tc.code, end.code, "after sending %s: got %s; want close %d. %s (look at %s)", short(tc.msg), end, tc.code, tc.why, readerFile)
				nc := c.conn.NetConn()
				nc.SetReadDeadline(time.Now().Add(readTimeout))
				_, err := io.Copy(io.Discard, nc)
				if errors.Is(err, syscall.ECONNRESET) {
					reset(fmt.Sprintf("close %d, then the connection was reset", tc.code))
				}
				require.NoErrorf(t, err, "after sending %s and getting close %d: want the server to end the TCP connection (FIN) within %v (look at %s)", short(tc.msg), tc.code, readTimeout, writerFile)
				// The others never see it, and go on receiving.
				msg := fmt.Sprintf("still fine %d", try+1)
				listener.send(msg)
				listener.expect(msg, "its own message, after another client was closed for bad input (and nothing before it)", hubFiles)
			}
		})
	}
}
