package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const badFiles = "protocol.go: parseInbound, and client.go: readPump answers and reads on"

// TestBadMessages: a message the server refuses gets an error message, the
// connection stays open, and the other members see nothing of it.
func TestBadMessages(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)

	ann, _ := join(t, ts, "ann", "bad")
	bob, _ := join(t, ts, "bob", "bad")
	ann.expect("join", "bob joining", chatFiles)

	bad := []struct{ why, data, word string }{
		{"invalid JSON", `{"type":"message","text":"hi"`, "json"},
		{"not JSON at all", `hello`, "json"},
		{"JSON that is not UTF-8", "{\"type\":\"message\",\"text\":\"\xff\"}", "json"},
		{"an unknown type", `{"type":"shout","text":"HI"}`, "type"},
		{"no type", `{"text":"hi"}`, "type"},
		{"no text", `{"type":"message"}`, "empty"},
		{"an empty text", `{"type":"message","text":""}`, "empty"},
		{"a text of Unicode white space only", `{"type":"message","text":" \t\n\u00a0\u2003\u3000"}`, "empty"},
		{"a text of 1001 characters", `{"type":"message","text":"` + strings.Repeat("x", 1001) + `"}`, "long"},
		{"a text of 1001 characters after trimming", `{"type":"message","text":"  ` + strings.Repeat("é", 1001) + `  "}`, "long"},
		{"a text of 1001 characters of 4 bytes each", `{"type":"message","text":"` + strings.Repeat("🙂", 1001) + `"}`, "long"},
	}
	for _, tc := range bad {
		ann.sendRaw(tc.data)
		m := ann.expect("error", "the answer to "+tc.why+" "+short(tc.data), badFiles)
		assert.Equalf(t, []string{"error", "type"}, jsonKeys(t, m.raw), "got %s; want exactly these fields (look at protocol.go: the struct of the error message)", m.raw)
		assert.Containsf(t, strings.ToLower(m.Error), tc.word, "%s: got the error %q; want it to say what was wrong (%q) (look at %s)", tc.why, m.Error, tc.word, badFiles)
	}
	ann.conn.SetWriteDeadline(time.Now().Add(readTimeout))
	require.NoError(t, ann.conn.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"message","text":"hi"}`)))
	ann.expect("error", "the answer to a binary message: the protocol is JSON text", badFiles)

	// Still open, and the good messages pass, trimmed.
	good := []struct{ why, text, want string }{
		{"1000 characters of 1 byte each", strings.Repeat("x", 1000), strings.Repeat("x", 1000)},
		{"1000 characters of 2 bytes each (2000 bytes)", strings.Repeat("é", 1000), strings.Repeat("é", 1000)},
		{"1000 characters of 4 bytes each (4000 bytes)", strings.Repeat("🙂", 1000), strings.Repeat("🙂", 1000)},
		{"1000 characters after trimming white space", "\u2003 " + strings.Repeat("€", 1000) + "\n\t", strings.Repeat("€", 1000)},
		{"a text with white space around it", "  hello, bob \u00a0", "hello, bob"},
		{"HTML, which is only text", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"},
	}
	for _, tc := range good {
		ann.say(tc.text)
		for _, c := range []*wsClient{ann, bob} {
			m := c.expect("message", tc.why+", after the refused ones", badFiles)
			require.Equalf(t, short(tc.want), short(m.Text), "%s: sent %s; want the text trimmed of white space, and nothing else changed (look at protocol.go: parseInbound)", tc.why, short(tc.text))
		}
	}
	// 1000 characters written as JSON escapes, 12 bytes each: the limit
	// counts characters after decoding, and 16 KiB holds them. (The 19th
	// message: within the burst of the rate limit.)
	ann.sendRaw(`{"type":"message","text":"` + strings.Repeat(`\ud83d\ude42`, 1000) + `"}`)
	for _, c := range []*wsClient{ann, bob} {
		m := c.expect("message", "1000 characters written as JSON escapes (12 bytes each), after the others", badFiles)
		require.Equalf(t, short(strings.Repeat("🙂", 1000)), short(m.Text), "1000 characters written as JSON escapes (\\ud83d\\ude42, 12 bytes each): want them decoded and counted as 1000 characters (look at protocol.go: parseInbound)")
	}
	// A bad message sent at once, before the welcome has come: the welcome
	// is still the first message, then the error.
	for i := range 20 {
		c := dialQuery(t, ts, uniq("hasty", i), "name=hasty&room="+uniq("first", i))
		c.sendRaw("not json")
		c.expect("welcome", "the welcome, the first message, though a bad message was sent at once", "client.go: writePump writes the welcome, first in the room's queue, before any reply to what the client sent; and "+badFiles)
		c.expect("error", "the answer to the bad message sent at once", badFiles)
		c.close()
	}

	t.Run("a sender that reads none of the answers", testDeafSender)
}

// testDeafSender: a member sends bad messages and reads none of the answers.
// The writer blocks on them until its write times out, and closes; the reader,
// meanwhile blocked handing over the next answer, must see that the writer is
// gone, and the connection's goroutines end.
func testDeafSender(t *testing.T) {
	d := stallDialer()
	if d == nil {
		t.Skip("this system cannot make a client that stalls with little in flight; the test runs on Linux and macOS")
	}
	const wait = 300 * time.Millisecond
	ts := startChat(t, "-write-wait", wait.String())
	// The room's goroutine runs from here on, and the stayer's three: its
	// message came back, so its reader runs, started after the others.
	stayer, _ := join(t, ts, "stayer", "deaf")
	stayer.say("here")
	stayer.expectChat("stayer", "here", chatFiles)
	before := map[string]bool{}
	for _, g := range goroutines() {
		before[g.id] = true
	}
	deaf := joinRaw(t, ts, d, "deaf", "deaf")
	// Bad messages until the server stops reading them: its writer is then
	// blocked on the answers, and its reader on handing over the next. The
	// frames go straight to the socket: a write that waits on a busy server
	// is not taken for a server that has stopped reading, as a timed-out
	// gorilla write, which ends the connection, would be. Each write may
	// wait 3s, ten times -write-wait, so that a loaded machine reading
	// slowly is not taken for a server that stopped reading and never
	// closes; and less than the 5s after which coder/websocket gives up on
	// a ping it cannot write, which would close the connection for it.
	const stuck, most = 3 * time.Second, 50_000
	nc := deaf.NetConn()
	frame := clientFrame("not json" + strings.Repeat(".", 1000))
	end := time.Now().Add(30 * time.Second)
	sent := 0
	for ; ; sent++ {
		if sent == most || time.Now().After(end) {
			t.Fatalf("a member sent %d bad messages and read none of the answers, and the server read them all; want its writer blocked on the answers, and its reader with it, until the writer's write times out and closes the connection (look at client.go: readPump and writePump)", sent)
		}
		nc.SetWriteDeadline(time.Now().Add(stuck))
		_, err := nc.Write(frame)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("-write-wait %v: a member sent %d bad messages and read none of the answers; the server stopped reading them, and %v later the connection was still open. Want the writer's write to time out and close the connection (look at client.go: writePump, a timeout on every write)", wait, sent, stuck)
		}
		if err != nil {
			break // the server has closed the connection
		}
	}
	const windDown = 2 * time.Second
	deadline := time.Now().Add(windDown)
	for left := serverGoroutines(before); len(left) > 0; left = serverGoroutines(before) {
		if time.Now().After(deadline) {
			t.Fatalf("-write-wait %v: a member sent %d bad messages and read none of the error answers; the server closed the connection, and %v later %d goroutine(s) of it still ran, in %s. Want the writer's write to time out, the connection closed, and every goroutine of it ended: once writePump has returned, does readPump stop waiting to hand it the next answer (c.gone)? (look at client.go: readPump and writePump)",
				wait, sent, windDown, len(left), strings.Join(left, ", "))
		}
		time.Sleep(10 * time.Millisecond) // poll: the connection winds down on its own
	}
}

// TestMessageTooBig: 16 KiB pass, one byte more closes with 1009.
func TestMessageTooBig(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)

	c, _ := join(t, ts, "ann", "big")
	// Valid JSON of exactly n bytes: the text is padded with spaces, which
	// trimming removes.
	padded := func(n int) string {
		head := `{"type":"message","text":"fits`
		return head + strings.Repeat(" ", n-len(head)-2) + `"}`
	}
	for _, n := range []int{maxMessageSize - 1, maxMessageSize} {
		c.sendRaw(padded(n))
		m := c.expect("message", fmt.Sprintf("a message of %d bytes, the limit is 16384", n), "client.go: SetReadLimit(maxMessageSize); coder/websocket's default is 32768")
		require.Equalf(t, "fits", m.Text, "got %s; want \"fits\" (look at protocol.go: parseInbound trims)", short(m.raw))
	}

	c.sendRaw(padded(maxMessageSize + 1))
	e := c.expectClose(readTimeout, "a message of 16385 bytes, one over the limit", "client.go: SetReadLimit(maxMessageSize)")
	require.Equalf(t, websocket.CloseMessageTooBig, e.code, "a message of 16385 bytes: got %s; want close 1009 (look at client.go: SetReadLimit(maxMessageSize))", e)

	t.Run("FIN after 1009, the rest of the message unread", func(t *testing.T) {
		// 1 MiB in one frame: the server stops after 16 KiB, and the rest
		// is still coming. Closing the socket then resets it (RST), and a
		// reset can destroy the close frame before the peer reads it.
		const closeNow = "The server closed the socket with the rest of the message unread: after the 1009, Close (not CloseNow) reads on until the peer's answer (look at client.go: serveWS)"
		big := joinRaw(t, ts, &net.Dialer{}, "big", "alone")
		big.SetWriteDeadline(time.Now().Add(readTimeout))
		err := big.WriteMessage(websocket.TextMessage, []byte(padded(1<<20)))
		require.NoErrorf(t, err, "big, sending 1 MiB in one frame: the connection broke; want it read away until big answers the 1009. %s", closeNow)
		big.SetReadDeadline(time.Now().Add(readTimeout))
		_, _, err = big.ReadMessage() // gorilla answers the close frame
		ce, ok := errors.AsType[*websocket.CloseError](err)
		require.Truef(t, ok && ce.Code == websocket.CloseMessageTooBig, "big sent 1 MiB in one frame: got %v; want close 1009 (look at client.go: SetReadLimit(maxMessageSize))", err)
		_, err = io.Copy(io.Discard, big.NetConn())
		require.NoErrorf(t, err, "big sent 1 MiB in one frame, got close 1009 and answered it; then the TCP connection ended with %v; want FIN (io.EOF). %s", err, closeNow)
	})
}
