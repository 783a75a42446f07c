package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
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
	cases := inOrder{t: t}

	cases.run("one text message per update, starting with the next", func(t *testing.T) {
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

	cases.run("refuses a foreign Origin with 403", func(t *testing.T) {
		d := websocket.Dialer{HandshakeTimeout: readTimeout}
		c, resp, err := d.Dial("ws://"+ts.addr+"/ws", http.Header{"Origin": {"http://evil.example"}})
		if err == nil {
			c.Close()
		}
		require.NotNilf(t, resp, "/ws with Origin http://evil.example: %v; want a 403 answer (look at ws.go)", err)
		assert.Equalf(t, http.StatusForbidden, resp.StatusCode, "/ws with Origin http://evil.example: got %s; want 403: CheckOrigin must be s.cfg.origins.allowed (look at ws.go)", resp.Status)
	})

	// One frame, then fragmented: gorilla counts its read limit over the
	// frames of a message only while the message is read.
	for _, tc := range []struct {
		frames []int
		pass   bool
	}{
		{[]int{maxMessageSize}, true},
		{[]int{maxMessageSize + 1}, false},
		{[]int{maxMessageSize / 2, maxMessageSize / 2}, true},
		{[]int{maxMessageSize, 1}, false},
	} {
		what := describeFrames(tc.frames)
		cases.run(what, func(t *testing.T) {
			c := dialWS(t, ts, nil)
			sendFrames(t, c, tc.frames)
			if tc.pass {
				for i := range 3 {
					wsUpdate(t, c, "update "+strconv.Itoa(i+1)+" after "+what)
				}
				return
			}
			err := closeAfterUpdates(c)
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code == websocket.CloseMessageTooBig {
				return
			}
			if len(tc.frames) == 1 {
				require.Failf(t, "no close 1009", "/ws after %s: read %v; want close 1009 (message too big): a read limit of maxMessageSize (SetReadLimit), and a goroutine that reads (look at ws.go)", what, err)
			}
			trap := "one frame of 4097 bytes closes with 1009, so the limit is set; but gorilla counts the read limit over the frames of a message only while the message is read: a loop that calls NextReader again without reading the message to its end (as gorilla's documentation shows, to discard messages) skips the rest of it and counts its next frames afresh, so a fragmented message never passes the limit. Read each message to its end: io.Copy(io.Discard, r) after NextReader, or ReadMessage"
			require.Failf(t, "no close 1009", "/ws after %s: read %v; want close 1009 (message too big): the limit counts the whole message, whatever its frames. %s (look at ws.go: the goroutine that reads)", what, err, trap)
		})
	}

	cases.run("1 MiB in one frame: close 1009, then FIN", func(t *testing.T) {
		// The server stops reading after 4 KiB, and the rest is still coming.
		// Closing the socket then resets it (RST), and a reset can destroy
		// the close frame before the client reads it.
		const reset = "closing the socket with the rest of the message unread resets the connection. After the 1009, end the connection as hangUp does: FIN (CloseWrite), then read away what still comes, for at most s.cfg.closeWait (look at ws.go: the reader's ErrReadLimit)"
		c := dialWS(t, ts, nil)
		// The frame's head and its first 8 KiB; the rest only once the 1009
		// is in, while the server must still be reading it away: more than
		// the socket buffers hold, so that a server that does not read it
		// away resets the connection while the client is still sending.
		const size, first = 1 << 20, 8 << 10
		head := binary.BigEndian.AppendUint64([]byte{0x81, 0x80 | 127}, size)
		head = append(head, 1, 2, 3, 4) // the mask key
		nc := c.NetConn()
		nc.SetWriteDeadline(time.Now().Add(readTimeout))
		_, err := nc.Write(append(head, make([]byte, first)...))
		require.NoErrorf(t, err, "/ws, sending the first 8 KiB of a 1 MiB frame")
		err = closeAfterUpdates(c)
		ce, ok := errors.AsType[*websocket.CloseError](err)
		require.Truef(t, ok && ce.Code == websocket.CloseMessageTooBig, "/ws after 8 KiB of a 1 MiB frame: read %v; want close 1009 (message too big) (look at ws.go: SetReadLimit)", err)
		nc.SetWriteDeadline(time.Now().Add(readTimeout))
		_, err = nc.Write(make([]byte, size-first))
		require.NoErrorf(t, err, "/ws, sending the rest of a 1 MiB frame after the 1009: the connection broke; want it read away: %s", reset)
		// The server closes TCP first (RFC 6455, 7.1.1): the FIN comes at
		// once, not when s.cfg.closeWait runs out.
		within := defaultConfig.closeWait * 2 / 3
		c.NetConn().SetReadDeadline(time.Now().Add(within))
		_, err = io.Copy(io.Discard, c.NetConn())
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			require.Failf(t, "no FIN", "/ws after 1 MiB in one frame, close 1009 read and answered: no FIN within %v; want it at once, as the server closes TCP first: CloseWrite before reading away what still comes, or the client waits for s.cfg.closeWait (look at ws.go: hangUp)", within)
		}
		require.NoErrorf(t, err, "/ws after 1 MiB in one frame, close 1009 read and answered: the TCP connection ended with %v; want FIN (io.EOF): %s", err, reset)
	})

	cases.run("1 MiB in one frame, and the 1009 never answered", func(t *testing.T) {
		// Pings a minute apart: only the wait after the 1009 may end it.
		h := startHooked(t, serveTimeout, "-ping-period", "1m", "-pong-wait", "1m")
		c := dialWS(t, h.ts, nil)
		c.SetCloseHandler(func(int, string) error { return nil }) // and no answer
		c.SetWriteDeadline(time.Now().Add(readTimeout))
		c.WriteMessage(websocket.TextMessage, make([]byte, 1<<20)) // the previous test checks it arrives
		err := closeAfterUpdates(c)
		ce, ok := errors.AsType[*websocket.CloseError](err)
		require.Truef(t, ok && ce.Code == websocket.CloseMessageTooBig, "/ws after 1 MiB in one frame: read %v; want close 1009 (message too big) (look at ws.go: SetReadLimit)", err)
		limit := defaultConfig.closeWait + time.Second
		took, ok := h.endedWithin(limit)
		require.Truef(t, ok, "/ws with -ping-period 1m, after 1 MiB in one frame: the client read the 1009 and neither answered nor closed, and the handler still ran %v later; want it to end once s.cfg.closeWait (%v here) has passed: a read deadline on what hangUp reads away, or a peer that stays silent holds the handler for ever (look at ws.go: hangUp)", limit, defaultConfig.closeWait)
		t.Logf("the handler ended %v after the client read the 1009", took.Round(time.Millisecond))
	})

	cases.run("a client's close is answered, then the connection ends (FIN)", func(t *testing.T) {
		c := dialWS(t, ts, nil)
		wsUpdate(t, c, "the first message")
		bye := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")
		require.NoError(t, c.WriteControl(websocket.CloseMessage, bye, time.Now().Add(readTimeout)), "/ws: sending a close frame")
		err := closeAfterUpdates(c)
		ce, ok := errors.AsType[*websocket.CloseError](err)
		require.Truef(t, ok && ce.Code == websocket.CloseNormalClosure, "/ws after the client's close 1000: read %v; want the close echoed, 1000 (gorilla's reader answers it, if a goroutine reads) (look at ws.go)", err)
		c.NetConn().SetReadDeadline(time.Now().Add(time.Second))
		_, err = io.Copy(io.Discard, c.NetConn())
		require.NoErrorf(t, err, "/ws after the close handshake: the TCP connection ended with %v, 1s later; want FIN (io.EOF) at once: once the reader has ended, the handler returns and closes the connection (ws.Close), or it stays open, a goroutine and a socket held for ever (look at ws.go)", err)
	})

	cases.run("keeps a client that answers pings", func(t *testing.T) {
		h := startHooked(t, serveTimeout, "-ping-period", "25ms", "-pong-wait", "500ms")
		pings := make(chan struct{}, 100)
		c := dialWS(t, h.ts, pings)
		msgs := readAll(c, 2*time.Second)
		// 25 answered pings take longer than a ping period and the pong
		// wait: a server that ignored the pongs would have dropped us.
		start := time.Now()
		for i := 1; i <= 25; i++ {
			select {
			case <-pings:
			case m := <-msgs:
				require.Failf(t, "dropped", "/ws with -ping-period 25ms -pong-wait 500ms: after %d pings, each answered with a pong, read %v, %v after connecting; want the client kept while it answers: does every pong move the read deadline on (SetPongHandler)? (look at ws.go)", i-1, m.err, time.Since(start).Round(time.Millisecond))
			case <-time.After(time.Second):
				require.Failf(t, "no ping", "/ws with -ping-period 25ms: waiting 1s for ping %d; want one every s.cfg.pingPeriod (look at ws.go)", i)
			}
		}
		u := h.publishN(1)
		select {
		case m := <-msgs:
			require.NoErrorf(t, m.err, "/ws with -ping-period 25ms -pong-wait 500ms: after 25 pings, each answered with a pong, read %v; want update %d: does every pong move the read deadline on (SetPongHandler)? (look at ws.go)", m.err, u)
		case <-time.After(readTimeout):
			require.Failf(t, "no update", "/ws: update %d published after 25 answered pings, and nothing within %v (look at ws.go)", u, readTimeout)
		}
	})

	cases.run("drops a client that never answers a ping", func(t *testing.T) {
		h := startHooked(t, serveTimeout, "-ping-period", "25ms", "-pong-wait", "250ms")
		c := dialWS(t, h.ts, nil)
		pinged := make(chan struct{}, 1)
		c.SetPingHandler(func(string) error { // and no pong
			select {
			case pinged <- struct{}{}:
			default:
			}
			return nil
		})
		const limit = 1500 * time.Millisecond // six times -pong-wait
		msgs := readAll(c, limit)
		select {
		case <-pinged:
		case <-time.After(time.Second):
			require.Failf(t, "no ping", "/ws with -ping-period 25ms: no ping within 1s; want one every s.cfg.pingPeriod (look at ws.go)")
		}
		m := <-msgs
		var ne net.Error
		require.Falsef(t, errors.As(m.err, &ne) && ne.Timeout(), "/ws with -ping-period 25ms -pong-wait 250ms: the server still held a client %v after a ping it never answered; want it dropped about 250ms after: a read deadline of s.cfg.pingPeriod+s.cfg.pongWait from the start, which only a pong moves on (SetReadDeadline, SetPongHandler), or a peer that has gone without a word holds its handler for ever (look at ws.go)", limit)
		t.Logf("the client that never answered ended with %v", m.err)
	})

	cases.run("a client that stops reading is let go after -write-wait", func(t *testing.T) {
		const wait = 200 * time.Millisecond
		h := startHooked(t, serveTimeout, "-write-wait", wait.String())
		stopReading(dialWS(t, h.ts, nil).NetConn()) // and never read
		h.lookedAt(t, 0, "/ws")
		for range keep {
			h.st.feed.publish(fatSymbol, 1, time.Now())
		}
		const limit = wait + time.Second
		took, ok := h.endedWithin(limit)
		require.Truef(t, ok, "/ws with -write-wait %v, to a client that never reads: 1000 updates of 1 KiB published, and its handler still wrote %v later; want it to give up after about %v: a write deadline of s.cfg.writeWait before every write (SetWriteDeadline), or every client that stops reading holds a goroutine for ever (look at ws.go)", wait, limit, wait)
		t.Logf("the handler gave up on the client that stopped reading after %v", took.Round(time.Millisecond))
	})

	cases.run("an update published between the look and the wait wakes it", func(t *testing.T) {
		h := startHooked(t, serveTimeout)
		c := dialWS(t, h.ts, nil)
		h.lookedAt(t, 0, "/ws")
		parkedWithin(t, "serveWS", "/ws")
		h.st.arm() // the handler's next look publishes one more right after it
		first := h.publishN(1)
		u := wsUpdate(t, c, "update "+itoa(first))
		require.Equalf(t, first, u.Seq, "/ws: got update %d; want %d (look at ws.go)", u.Seq, first)
		c.SetReadDeadline(time.Now().Add(readTimeout))
		_, data, err := c.ReadMessage()
		require.NoErrorf(t, err, "/ws: waiting for update %d: %v; want it at once: %s (look at ws.go)", first+1, err, lostWakeup)
		require.Containsf(t, string(data), fmt.Sprintf(`"seq":%d,`, first+1), "/ws: got %s; want update %d (look at ws.go)", data, first+1)
	})
}

// lostWakeup says what a test that publishes between a handler's look and
// its wait found.
const lostWakeup = "it was published right after the handler's look (since), before it began to wait: a lost wakeup. Take the news channel from the same since call as the updates, under the store's one lock; a channel taken in a second call is already the next update's, and sleeps through the one published in between"

// describeFrames says how a message is sent: "one frame of 4096 bytes",
// "4097 bytes in 2 frames (4096, 1)".
func describeFrames(frames []int) string {
	if len(frames) == 1 {
		return fmt.Sprintf("one frame of %d bytes", frames[0])
	}
	total, sizes := 0, make([]string, len(frames))
	for i, n := range frames {
		total += n
		sizes[i] = strconv.Itoa(n)
	}
	return fmt.Sprintf("%d bytes in %d frames (%s)", total, len(frames), strings.Join(sizes, ", "))
}

// sendFrames writes one text message as frames of these sizes, masked as a
// client's are, straight to the connection (gorilla's writer chooses its
// own frames).
func sendFrames(t *testing.T, c *websocket.Conn, frames []int) {
	t.Helper()
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	var out []byte
	for i, n := range frames {
		op := byte(0x1) // text
		if i > 0 {
			op = 0x0 // continuation
		}
		if i == len(frames)-1 {
			op |= 0x80 // FIN
		}
		out = append(out, op)
		if n < 126 {
			out = append(out, 0x80|byte(n))
		} else {
			out = append(out, 0x80|126, byte(n>>8), byte(n))
		}
		out = append(out, key[:]...)
		for j := range n {
			out = append(out, 'a'^key[j%4])
		}
	}
	c.NetConn().SetWriteDeadline(time.Now().Add(readTimeout))
	_, err := c.NetConn().Write(out)
	require.NoErrorf(t, err, "/ws: sending %s", describeFrames(frames))
}

// wsRead is one message read, or how reading ended.
type wsRead struct {
	data []byte
	err  error
}

// readAll reads c in a goroutine until reading fails or d has passed, and
// hands on what it reads; it ends when the connection does.
func readAll(c *websocket.Conn, d time.Duration) <-chan wsRead {
	out := make(chan wsRead, 100)
	c.SetReadDeadline(time.Now().Add(d))
	go func() {
		for {
			_, data, err := c.ReadMessage()
			out <- wsRead{data, err}
			if err != nil {
				return
			}
		}
	}()
	return out
}
