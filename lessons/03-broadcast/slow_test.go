package main

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
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

// stuckHub names the test that saw the hub stop serving everyone because of
// one client that did not read: the tests after it fail at once.
var stuckHub atomic.Pointer[string]

// floodSize is how many 48 KiB messages the slow client test sends: more
// than the TCP buffers of a client that does not read hold on Linux, and
// than its queue.
const floodSize = 256

// TestSlowClient: a client that falls queueSize messages behind is closed
// with 1008 (or dropped, if even the close frame cannot be written), while
// every other client goes on receiving every message, in order.
func TestSlowClient(t *testing.T) {
	checkNoLeaks(t)
	leftOver := running("serveClient") // by earlier tests that failed
	ts := startHub(t)
	requireBroadcast(t, ts)
	cs := dialJoined(t, ts, 2)
	stalled := joinStalled(t, ts, cs)

	start := time.Now()
	for i := range floodSize {
		msg := bigMessage(i)
		cs[0].send(msg)
		for _, c := range cs {
			e, ok := c.next(floodWait)
			if !ok {
				name := t.Name()
				stuckHub.CompareAndSwap(nil, &name)
				t.Fatalf("%s: waiting for message %d of %d while another client had stopped reading: nothing came within %v. Want every other client served as if nothing happened: does the hub wait for a full queue? A full queue must evict its client, never block the broadcast (look at hub.go: run)",
					c.name, i+1, floodSize, floodWait)
			}
			require.Truef(t, e.typ == websocket.TextMessage && e.data == msg, "%s: got %s; want message %d of %d, %s, in order (look at %s)", c.name, e, i+1, floodSize, short(msg), hubFiles)
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
		require.Lessf(t, got, floodSize, "the stalled client received all %d messages of 48 KiB and no close frame; want it closed with 1008 once %d (queueSize) messages were waiting for it (look at hub.go: run, and %s)", floodSize, queueSize, writerFile)
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the stalled client read %d messages, then nothing for 2s and no close frame; want close 1008 \"too slow\" after a queue of %d messages filled up (look at hub.go: run, and %s)", got, queueSize, writerFile)
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

// TestWriteDeadline: a client that stops reading fills the TCP buffers, and
// then every write to it blocks. Its writer must give up after -write-wait.
func TestWriteDeadline(t *testing.T) {
	if first := stuckHub.Load(); first != nil {
		t.Fatalf("not tried: in %s the other clients stopped receiving while one client did not read, so this test, which needs a hub that goes on, would only wait for the same; fix that first (look at hub.go: run)", *first)
	}
	checkNoLeaks(t)
	// Long enough that a client that reads is never too slow, even on a
	// busy machine; short enough that the test does not wait long.
	const wait = 500 * time.Millisecond
	ts := startHub(t, "-write-wait", wait.String())
	requireBroadcast(t, ts)
	pub := dialJoined(t, ts, 1)[0]
	joinStalled(t, ts, []*wsClient{pub})
	// The first client of requireBroadcast may still be winding down.
	for wait := time.Now().Add(readTimeout); writers() != 2; {
		require.Falsef(t, time.Now().After(wait), "%d goroutines run writePump with two clients connected; want one per client (main.go starts them, and each must return when its connection ends: look at %s)", writers(), writerFile)
		time.Sleep(5 * time.Millisecond) // poll: goroutines end on their own
	}

	const limit = wait + 2500*time.Millisecond
	start := time.Now()
	for i := 0; ; i++ {
		if i%8 == 0 && writers() == 1 {
			t.Logf("the stalled client's writer gave up %v after the flood began, after %d messages of 48 KiB", time.Since(start).Round(time.Millisecond), i)
			return
		}
		if time.Since(start) > limit {
			t.Fatalf("-write-wait %v: a client stopped reading and %d messages of 48 KiB went out; %v later its writer was still running, so a write to it must be blocked for good. Want the write to fail after about %v and the connection closed: is there a deadline before every write? (look at %s: SetWriteDeadline)",
				wait, i, limit, wait, writerFile)
		}
		msg := bigMessage(i)
		pub.send(msg)
		pub.expect(msg, "its own message, while another client had stopped reading", hubFiles)
	}
}
