package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// bigMessage is message i of a flood: 48 KiB, so that a client that stops
// reading fills its TCP buffers after a few dozen.
func bigMessage(i int) string {
	return fmt.Sprintf("%06d", i) + strings.Repeat("x", 48<<10-6)
}

// joinStalled connects a client that never reads, and returns once it is in
// the hub: its message has reached the others.
func joinStalled(t *testing.T, ts *testServer, others []*wsClient) *websocket.Conn {
	t.Helper()
	conn := dialConn(t, ts, "the stalled client")
	conn.SetWriteDeadline(time.Now().Add(readTimeout))
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte("stalled client joined")), "the stalled client: sending its one message")
	for _, c := range others {
		c.expect("stalled client joined", "the stalled client sent it", hubFiles)
	}
	return conn
}

// floodWait bounds the wait for each message of the flood: ample for a hub
// that serves the others while one client stalls, and short, because a hub
// that does not is stuck for good.
const floodWait = time.Second

// floodSize is how many 48 KiB messages the slow client test sends: more
// than the TCP buffers of a client that does not read hold on Linux (about
// 85) and its queue's queueBytes. They go out floodBatch at a time: few
// enough that a client that reads never has queueBytes waiting.
const floodSize, floodBatch = 192, 16

// TestBurst: a burst is not slowness. 200 small messages sent at once by one
// client, or 50 by each of three, reach every client that keeps reading,
// every one in the hub's order, and nobody is evicted.
func TestBurst(t *testing.T) {
	checkNoLeaks(t)
	ts := startHub(t)
	requireBroadcast(t, ts)
	for _, tc := range []struct {
		name          string
		senders, each int
	}{
		{"200 at once from one client", 1, 200},
		{"50 at once from each of three", 3, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := dialJoined(t, ts, 3)
			for round := range 2 { // and again, once the first is through
				burst(t, cs, cs[:tc.senders], round, tc.each)
			}
		})
	}
	// Whether a writer drains its queue during a burst depends on the
	// scheduler; a writer that has not run at all is the burst's worst case.
	t.Run("200 queued before the writer runs", func(t *testing.T) {
		const total = 200
		h, _ := runHub(t)
		c := &client{send: make(chan *message, queueSize)}
		require.Truef(t, h.join(c), "hub.join returned false before the hub stopped; want true (look at hub.go: join)")
		for i := range total {
			h.publish(fmt.Appendf(nil, "burst %03d", i))
		}
		deadline := time.Now().Add(readTimeout)
		for len(c.send) < total {
			if time.Now().After(deadline) {
				t.Fatalf("a client whose writer has not run yet, %d small messages published at once: %d queued after %v; want all %d. A burst is not slowness: the queue must hold the largest burst (look at %s)", total, len(c.send), readTimeout, total, queueFiles)
			}
			<-time.After(time.Millisecond) // the hub's count, polled: it tells no one
		}
	})
}

// burst has each sender send each messages at once, all its frames in one
// write, and checks that every client gets all of them, each sender's in
// order, all in one order.
func burst(t *testing.T, cs, senders []*wsClient, round, each int) {
	t.Helper()
	var wg sync.WaitGroup
	for _, s := range senders {
		var frames []byte
		for i := range each {
			frames = appendMasked(frames, fmt.Sprintf("burst %d, %s: %03d", round, s.name, i))
		}
		wg.Go(func() {
			// Past gorilla, so that the server reads the burst in as few
			// reads as it can. (Nothing else writes: no ping comes.)
			nc := s.conn.NetConn()
			nc.SetWriteDeadline(time.Now().Add(readTimeout))
			if _, err := nc.Write(frames); err != nil {
				t.Errorf("%s: sending a burst of %d messages: %v", s.name, each, err)
			}
		})
	}
	wg.Wait()
	total := len(senders) * each
	what := fmt.Sprintf("%d small messages sent at once by %d client(s)", total, len(senders))
	var first []string
	for _, c := range cs {
		var got []string
		next := map[string]int{} // sender: the number of its next message
		for len(got) < total {
			e, ok := c.next(readTimeout)
			require.Truef(t, ok, "%s, reading all along, got %d of the %d messages of a burst (%s), then nothing within %v; want all of them (look at %s)", c.name, len(got), total, what, readTimeout, queueFiles)
			if e.code != 0 || e.err != nil {
				t.Fatalf("%s, reading all along, got %d of the %d messages of a burst (%s), then %s; want every message and the connection kept. A burst is not slowness: a client that reads must not be evicted because many messages went out at once. Is the queue bounded in bytes (queueBytes) and deep enough for a burst (queueSize)? (look at %s)", c.name, len(got), total, what, e, queueFiles)
			}
			require.Truef(t, e.typ == websocket.TextMessage && strings.HasPrefix(e.data, fmt.Sprintf("burst %d, ", round)), "%s: got %s during a burst; want a message of the burst (look at %s)", c.name, e, hubFiles)
			from, n, _ := strings.Cut(strings.TrimPrefix(e.data, fmt.Sprintf("burst %d, ", round)), ": ")
			want := fmt.Sprintf("%03d", next[from])
			require.Equalf(t, want, n, "%s: got %s after %d messages of %s's burst; want its message %s next, in the order it sent them (look at %s)", c.name, e, next[from], from, want, hubFiles)
			next[from]++
			got = append(got, e.data)
		}
		if first == nil {
			first = got
			continue
		}
		for i := range got {
			if got[i] != first[i] {
				t.Fatalf("%s: message %d of the burst is %q, but %s got %q there; want one order for every client, the hub's (look at hub.go: run)", c.name, i+1, got[i], cs[0].name, first[i])
			}
		}
	}
}

// appendMasked appends msg as one masked text frame, as a client sends it; a
// zero mask leaves the payload as it is.
func appendMasked(b []byte, msg string) []byte {
	switch n := len(msg); {
	case n < 126:
		b = append(b, 0x81, 0x80|byte(n))
	case n < 1<<16:
		b = binary.BigEndian.AppendUint16(append(b, 0x81, 0x80|126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 0x81, 0x80|127), uint64(n))
	}
	return append(append(b, 0, 0, 0, 0), msg...)
}

// TestWriteDeadline: a client that stops reading fills the TCP buffers, and
// then every write to it blocks. Its writer must give up after -write-wait.
func TestWriteDeadline(t *testing.T) {
	checkNoLeaks(t)
	// Long enough that a client that reads is never too slow, even on a
	// busy machine; short enough that the test does not wait long. The read
	// deadline is far away: only the writer can end the connection in time.
	const wait = 500 * time.Millisecond
	ts := startHub(t, "-write-wait", wait.String(), "-pong-wait", "1m")
	requireBroadcast(t, ts)
	pub := dialJoined(t, ts, 1)[0]
	stalled := joinStalled(t, ts, []*wsClient{pub})
	// The first client of requireBroadcast may still be winding down.
	for wait := time.Now().Add(readTimeout); writers() != 2; {
		require.Falsef(t, time.Now().After(wait), "%d goroutines run writePump with two clients connected; want one per client (main.go starts them, and each must return when its connection ends: look at %s)", writers(), writerFile)
		time.Sleep(5 * time.Millisecond) // poll: goroutines end on their own
	}

	// Messages go out until the stalled client's writer is blocked in a
	// write, and stop there: its queue stays far from eviction, so only the
	// write's deadline can end the writer.
	const limit = wait + 2500*time.Millisecond
	start := time.Now()
	sent := 0
	for ; writers() == 2 && !writerBlocked(); sent++ {
		require.Lessf(t, time.Since(start), limit, "a client stopped reading and %d messages of 48 KiB went out in %v, and its writer was never blocked in a write; want the TCP buffers to fill and the write to block (look at %s)", sent, limit, writerFile)
		msg := bigMessage(sent)
		pub.send(msg)
		pub.expect(msg, "its own message, while another client had stopped reading", hubFiles)
	}
	blocked := time.Now()
	for writers() != 1 {
		if time.Since(blocked) > limit {
			t.Fatalf("-write-wait %v: a client stopped reading and %d messages of 48 KiB went out, until its writer was blocked in a write; %v later the writer was still running. Want the write to fail after about %v, and the writer to close the connection and return: is there a deadline before every write, and does a failed write end writePump? (look at %s: SetWriteDeadline)",
				wait, sent, limit, wait, writerFile)
		}
		time.Sleep(5 * time.Millisecond) // poll: the writer ends on its own
	}
	t.Logf("the stalled client's writer gave up %v after it blocked, after %d messages of 48 KiB", time.Since(blocked).Round(time.Millisecond), sent)

	// The writer gave up: the connection must end now, not when the
	// server's read deadline (a minute and a half away) ends the reader.
	gaveUp := time.Now()
	stalled.SetReadDeadline(gaveUp.Add(readTimeout))
	n, err := io.Copy(io.Discard, stalled.NetConn())
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("-write-wait %v -pong-wait 1m: the stalled client's writer gave up on a write, and %v later the connection was still open (the client read %d KiB, all the server had sent, then waited); want it closed when a write fails: nothing more can be written to it, and its reader would wait for its read deadline, a minute and a half. Does writePump close the connection (ws.Close) when a write fails? (look at %s)",
			wait, readTimeout, n>>10, writerFile)
	}
	t.Logf("the stalled client read %d KiB after its writer gave up, then %v", n>>10, endOfTCP(err))
}

// writerBlocked reports whether a writer is blocked in a network write.
func writerBlocked() bool {
	for _, g := range goroutines() {
		if strings.Contains(g.stack, ").writePump(") && strings.Contains(g.stack, ").waitWrite(") {
			return true
		}
	}
	return false
}

// TestSlowClient: a client that falls queueBytes of messages behind is closed
// with 1008 (or dropped, if even the close frame cannot be written), while
// every other client goes on receiving every message, in order.
func TestSlowClient(t *testing.T) {
	checkNoLeaks(t)
	leftOver := running("serveClient") // by earlier tests that failed
	ts := startHub(t)
	requireBroadcast(t, ts)
	requireEviction(t)
	cs := dialJoined(t, ts, 2)
	stalled := joinStalled(t, ts, cs)

	start := time.Now()
	for first := 0; first < floodSize; first += floodBatch {
		for i := first; i < first+floodBatch; i++ {
			cs[0].send(bigMessage(i))
		}
		for _, c := range cs {
			for i := first; i < first+floodBatch; i++ {
				msg := bigMessage(i)
				e, ok := c.next(floodWait)
				if !ok {
					t.Fatalf("%s: waiting for message %d of %d while another client had stopped reading: nothing came within %v. Want every other client served as if nothing happened: %s",
						c.name, i+1, floodSize, floodWait, whyStuck())
				}
				require.Truef(t, e.typ == websocket.TextMessage && e.data == msg, "%s: got %s; want message %d of %d, %s, in order (look at %s)", c.name, e, i+1, floodSize, short(msg), hubFiles)
			}
		}
	}
	t.Logf("%d messages of 48 KiB reached both reading clients in %v", floodSize, time.Since(start).Round(time.Millisecond))

	// Now the stalled client reads what reached it: messages in order,
	// then the close frame.
	deadline := time.Now().Add(2 * time.Second)
	got := 0
	for {
		stalled.SetReadDeadline(deadline)
		_, data, err := stalled.ReadMessage()
		if err == nil {
			want := fmt.Sprintf("%06d", got)
			if got == 0 && string(data) == "stalled client joined" {
				continue
			}
			require.Truef(t, strings.HasPrefix(string(data), want), "the stalled client, reading at last: got %s; want message %d of the flood, the next in order: a slow client may miss the end, never a message in the middle (look at %s)", short(string(data)), got+1, hubFiles)
			got++
			continue
		}
		require.Lessf(t, got, floodSize, "the stalled client received all %d messages of 48 KiB and no close frame; want it closed with 1008 once queueBytes (%d KiB) of messages were waiting for it, after what its TCP buffers hold (look at hub.go: run, and %s)", floodSize, queueBytes>>10, writerFile)
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the stalled client read %d messages, then nothing for 2s and no close frame; want close 1008 \"too slow\" after queueBytes (%d KiB) of messages waited for it (look at hub.go: run, and %s)", got, queueBytes>>10, writerFile)
		}
		// The writer was blocked, not broken: once the client reads, the
		// close frame can be written, so here a drop is not enough.
		ce, ok := errors.AsType[*websocket.CloseError](err)
		require.Truef(t, ok && ce.Code == websocket.ClosePolicyViolation, "the stalled client, reading at last, after %d messages: got %s; want close 1008 (policy violation) \"too slow\": the client can read it now, so say why it is dropped (look at %s)", got, endOf(err), writerFile)
		t.Logf("the stalled client got %d messages, then close 1008 %q", got, ce.Text)
		break
	}

	// The stalled client's handler has left the hub once it returns, so
	// whatever the hub does with that leave happens before it takes the
	// others' next messages.
	for wait := time.Now().Add(readTimeout); running("serveClient") > leftOver+len(cs); {
		require.Falsef(t, time.Now().After(wait), "the stalled client was closed %v ago and its handler (serveClient in main.go) still runs; want it to end with the connection: does readPump return once the connection is closed? (look at %s)", readTimeout, hubFiles)
		time.Sleep(5 * time.Millisecond) // poll: goroutines end on their own
	}

	// Nothing stalled: the others go on as before.
	for i := range 5 {
		msg := fmt.Sprintf("after the flood %d", i)
		cs[1].send(msg)
		for _, c := range cs {
			c.expect(msg, "after the stalled client was closed", hubFiles)
		}
	}
}

// queueFiles is where the bounds of a client's queue are kept.
const queueFiles = "client.go (queueSize, queueBytes) and hub.go (run)"

// requireEviction runs a hub of its own with two clients that have queues
// and no connections: one whose queue the test empties, as a writer that
// keeps up does, and one whose queue nobody empties. Messages of 48 KiB go
// out one by one: the hub must never wait, evict the stalled client (close
// its queue) once queueBytes wait for it, and take its leave afterwards in
// its stride.
func requireEviction(t *testing.T) {
	t.Helper()
	h, _ := runHub(t)
	reader := &client{send: make(chan *message, queueSize)}
	stalled := &client{send: make(chan *message, queueSize)}
	require.Truef(t, h.join(reader) && h.join(stalled), "hub.join returned false before the hub stopped; want true (look at hub.go: join)")
	// publish sends data through the hub, and the reader takes it.
	publish := func(i int, data []byte) {
		t.Helper()
		published := make(chan struct{})
		go func() {
			defer close(published)
			h.publish(data)
		}()
		timer := time.NewTimer(time.Second)
		defer timer.Stop()
		select {
		case m := <-reader.send:
			reader.queued.Add(-int64(m.size)) // as writePump does
			<-published
		case <-timer.C:
			t.Fatalf("a hub with two clients, one of which never empties its queue: message %d of 48 KiB did not reach the other within 1s. %s", i+1, whyStuck())
		}
	}
	// More than a queue holds, and one more to see that the hub took the
	// last; the same message every time (publish may keep it; nobody
	// changes it).
	n := queueSize + 2
	data := []byte(bigMessage(0))
	for i := range n {
		publish(i, data)
	}
	// Evicted: its queue is closed, behind what was queued before.
	waiting, open := 0, true
	for open {
		select {
		case _, ok := <-stalled.send:
			if ok {
				waiting++
			} else {
				open = false
			}
		default:
			t.Fatalf("a hub with two clients, one of which never empties its queue: after %d messages of 48 KiB its queue was still open, with %d waiting; want it closed, the client evicted, once queueBytes (%d KiB) wait for it, so that its writer says close 1008 \"too slow\". Does the hub count the bytes it queues (c.queued), and close the queue of a client it evicts? (look at hub.go: run)", n, waiting, queueBytes>>10)
		}
	}
	require.LessOrEqualf(t, waiting*(48<<10), queueBytes, "a hub with two clients, one of which never empties its queue: it was evicted with %d messages of 48 KiB (%d KiB) waiting; want it evicted before more than queueBytes (%d KiB) wait: does the hub count the bytes in each queue (c.queued)? (look at hub.go: run)", waiting, waiting*48, queueBytes>>10)
	// Its handler leaves, as serveClient does when the connection ends.
	h.leave(stalled)
	publish(n, []byte("after the eviction"))
}

// endOfTCP says how a raw read of a connection ended.
func endOfTCP(err error) string {
	switch {
	case err == nil:
		return "FIN"
	case errors.Is(err, syscall.ECONNRESET):
		return "a reset (RST)"
	}
	return err.Error()
}
