package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
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

	const tooBig = "a message over the limit of 64 KiB: is there a read limit (SetReadLimit)?"
	for _, tc := range []struct {
		name string
		typ  int
		msg  string
		code int
		why  string
		// busy: the message goes in one frame, right after another client
		// sent a burst, so that its writer is writing when its reader fails.
		busy bool
	}{
		{"65537 bytes in 4 KiB frames: 1009", websocket.TextMessage, strings.Repeat("a", maxMessageSize+1), websocket.CloseMessageTooBig, tooBig, false},
		{"65537 bytes in one frame, while its writer writes: 1009", websocket.TextMessage, strings.Repeat("b", maxMessageSize+1), websocket.CloseMessageTooBig, tooBig, true},
		{"text that is not UTF-8: 1007", websocket.TextMessage, "bad \xff byte", websocket.CloseInvalidFramePayloadData,
			"text that is not UTF-8 would make every browser fail its connection: does readPump check it (utf8.Valid) and return errNotUTF8?", false},
		{"binary: 1003", websocket.BinaryMessage, "\x00\x01\x02", websocket.CloseUnsupportedData,
			"the hub broadcasts text only: does readPump return errBinary for anything else?", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			listener := dialJoined(t, ts, 1)[0]
			for try := range 12 { // a reset comes now and then, not always
				// A busy sender answers no pings: it writes past gorilla,
				// and nothing else may write meanwhile.
				c := dial(t, ts, fmt.Sprintf("sender %d", try+1), clientOptions{silent: tc.busy})
				var burst []string
				if tc.busy {
					frame := appendMasked(nil, tc.msg)
					for i := range 24 { // 768 KiB, less than a queue holds
						burst = append(burst, fmt.Sprintf("burst %d, %02d: %s", try+1, i, strings.Repeat("x", 32<<10)))
						listener.send(burst[i])
					}
					nc := c.conn.NetConn()
					nc.SetWriteDeadline(time.Now().Add(readTimeout))
					_, err := nc.Write(frame)
					require.NoError(t, err, "sending the message")
				} else {
					c.conn.SetWriteDeadline(time.Now().Add(readTimeout))
					require.NoError(t, c.conn.WriteMessage(tc.typ, []byte(tc.msg)), "sending the message")
				}
				// After its close frame the server ends the TCP connection
				// in order, with FIN, and reads on until the client closes
				// too. Closed with the rest of the client's message unread,
				// it sends a reset (RST) instead, which can destroy the close
				// frame before the client reads it.
				reset := func(what string) {
					t.Fatalf("after sending %s: %s; want close %d, then the TCP connection ended in order (FIN). The server closed the connection with the rest of the client's message unread. When a write fails because a close frame was sent already (websocket.ErrCloseSent: the reader sent it and is ending), the writer must leave the connection to serveClient (main.go), which ends it in order (look at %s)", short(tc.msg), what, tc.code, writerFile)
				}
				msgs, end, ok := c.expectClose(readTimeout)
				require.Truef(t, ok, "after sending %s: no close within %v; want close %d. %s (look at %s)", short(tc.msg), readTimeout, tc.code, tc.why, readerFile)
				// Some of the other client's burst may come first, in order.
				next := -1
				for _, m := range msgs {
					i := slices.Index(burst, m)
					require.Truef(t, i >= 0 && (next < 0 || i == next), "after sending %s: got %s; want close %d and nothing else but another client's burst, in order. %s (look at %s)", short(tc.msg), short(m), tc.code, tc.why, readerFile)
					next = i + 1
				}
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
				// A FIN can come before the reset: the server still reads
				// until the client closes, so two more frames (pongs, which
				// it ignores) must not be refused.
				for range 2 {
					nc.SetWriteDeadline(time.Now().Add(readTimeout))
					if _, err := nc.Write([]byte{0x8a, 0x80, 0, 0, 0, 0}); err != nil {
						reset(fmt.Sprintf("close %d and FIN, then the connection was reset: a frame the client sent after them got %v", tc.code, err))
					}
				}
				// The others never see it, and go on receiving.
				for _, m := range burst {
					listener.expect(m, "a message of its own burst", hubFiles)
				}
				msg := fmt.Sprintf("still fine %d", try+1)
				listener.send(msg)
				listener.expect(msg, "its own message, after another client was closed for bad input (and nothing before it)", hubFiles)
			}
		})
	}
}
