package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

func TestBroadcast(t *testing.T) {
	checkNoLeaks(t)
	ts := startHub(t)
	requireBroadcast(t, ts)

	t.Run("every client gets every message, the sender included", func(t *testing.T) {
		cs := dialJoined(t, ts, 3)
		for _, sender := range cs {
			msg := "hello from " + sender.name
			sender.send(msg)
			for _, c := range cs {
				c.expect(msg, sender.name+" sent it", hubFiles)
			}
		}
	})

	t.Run("one WebSocket message per message, in order", func(t *testing.T) {
		cs := dialJoined(t, ts, 3)
		// Sent in batches without waiting, so that they queue up for the
		// writers (a writer that joins what it finds queued into one frame
		// shows here), but fewer than a queue holds.
		const n, batch = 100, queueSize / 2
		for start := 0; start < n; start += batch {
			for i := start; i < min(start+batch, n); i++ {
				cs[0].send(fmt.Sprintf("message %d", i))
			}
			for _, c := range cs {
				for i := start; i < min(start+batch, n); i++ {
					want := fmt.Sprintf("message %d", i)
					e, ok := c.next(readTimeout)
					require.Truef(t, ok, "%s: waiting for %q, message %d of %d that client 0 sent in a row: nothing came within %v (look at %s)", c.name, want, i+1, n, readTimeout, hubFiles)
					if strings.Contains(e.data, "\n") {
						t.Fatalf("%s: got %s; want text %q alone: one WebSocket message per message, never several joined into one (look at client.go: writePump)", c.name, e, want)
					}
					require.Truef(t, e.typ == websocket.TextMessage && e.data == want, "%s: got %s; want text %q, message %d of %d, in the order client 0 sent them (look at %s)", c.name, e, want, i+1, n, hubFiles)
				}
			}
		}
	})

	t.Run("everyone sees the hub's one order", func(t *testing.T) {
		cs := dialJoined(t, ts, 3)
		const n = queueSize / 4 // two senders, and the queues hold them all
		var wg sync.WaitGroup
		for _, sender := range cs[:2] {
			wg.Go(func() {
				for i := range n {
					sender.conn.SetWriteDeadline(time.Now().Add(readTimeout))
					if sender.conn.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "%s: %d", sender.name, i)) != nil {
						return // the reads below fail and say why
					}
				}
			})
		}
		wg.Wait()
		var first []string
		for _, c := range cs {
			var got []string
			for len(got) < 2*n {
				e, ok := c.next(readTimeout)
				require.Truef(t, ok, "%s: two clients sent %d messages each; got %d, then nothing within %v; want all %d (look at %s)", c.name, n, len(got), readTimeout, 2*n, hubFiles)
				require.Equalf(t, websocket.TextMessage, e.typ, "%s: got %s; want a text message (look at %s)", c.name, e, hubFiles)
				got = append(got, e.data)
			}
			for _, sender := range cs[:2] {
				var mine []string
				for _, m := range got {
					if strings.HasPrefix(m, sender.name+": ") {
						mine = append(mine, m)
					}
				}
				require.Lenf(t, mine, n, "%s: got %d messages from %s; want %d (look at %s)", c.name, len(mine), sender.name, n, hubFiles)
				for i, m := range mine {
					require.Equalf(t, fmt.Sprintf("%s: %d", sender.name, i), m, "%s: message %d from %s out of order (look at %s)", c.name, i+1, sender.name, hubFiles)
				}
			}
			if first == nil {
				first = got
				continue
			}
			if !slices.Equal(got, first) {
				i := 0
				for got[i] == first[i] {
					i++
				}
				t.Fatalf("%s: message %d is %q, but client 0 got %q there; want every client to get the messages in the same order, the one in which the hub took them (look at hub.go: run)", c.name, i+1, got[i], first[i])
			}
		}
	})
}

// TestJoinLeave: clients come and go while messages flow; a client that
// stays gets every message, in order, and one that comes gets a run of
// consecutive messages from when it joined.
func TestJoinLeave(t *testing.T) {
	checkNoLeaks(t)
	ts := startHub(t)
	requireBroadcast(t, ts)
	requireLeave(t)
	cs := dialJoined(t, ts, 2)
	publisher, listener := cs[0], cs[1]

	const churners, rounds = 4, 8
	errs := make(chan error, churners)
	for g := range churners {
		go func() { errs <- churn(ts, g, rounds) }()
	}
	deadline := time.Now().Add(8 * time.Second)
	sent := 0
	for running := churners; running > 0; {
		select {
		case err := <-errs:
			require.NoError(t, err)
			running--
			continue
		default:
		}
		require.Falsef(t, time.Now().After(deadline), "8s after it began, %d of %d clients were still joining and leaving, with %d messages sent; want them done within a second or two (look at %s)", running, churners, sent, hubFiles)
		msg := fmt.Sprintf("n %d", sent)
		publisher.send(msg)
		for _, c := range []*wsClient{publisher, listener} {
			c.expect(msg, fmt.Sprintf("message %d, while other clients joined and left", sent+1), hubFiles)
		}
		sent++
	}
	t.Logf("%d clients joined and left while %d messages went out", churners*rounds, sent)
}

// churn joins and leaves rounds times, reading three messages each time;
// they must be consecutive. Every other round it leaves without a close frame.
func churn(ts *testServer, g, rounds int) error {
	for r := range rounds {
		name := fmt.Sprintf("joining client %d.%d", g, r)
		d := websocket.Dialer{HandshakeTimeout: readTimeout}
		conn, _, err := d.Dial("ws://"+ts.addr+"/ws", nil)
		if err != nil {
			return fmt.Errorf("%s: dial /ws: %v (look at %s)", name, err, hubFiles)
		}
		prev := -1
		for range 3 {
			conn.SetReadDeadline(time.Now().Add(readTimeout))
			_, data, err := conn.ReadMessage()
			if err != nil {
				conn.Close()
				return fmt.Errorf("%s: got %v while messages were being sent; want them (look at %s)", name, err, hubFiles)
			}
			var n int
			if _, err := fmt.Sscanf(string(data), "n %d", &n); err != nil || (prev >= 0 && n != prev+1) {
				conn.Close()
				return fmt.Errorf("%s: got %q after \"n %d\"; want the next message, \"n %d\" (look at %s)", name, data, prev, prev+1, hubFiles)
			}
			prev = n
		}
		if r%2 == 0 {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")
			conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(readTimeout))
			conn.SetReadDeadline(time.Now().Add(readTimeout))
			for { // read on until the server's answer, or the deadline
				if _, _, err := conn.ReadMessage(); err != nil {
					break
				}
			}
		}
		conn.Close()
	}
	return nil
}

// Short periods, so that the test does not wait: a ping every 25ms, and a
// peer has 500ms to answer.
var shortKeepalive = []string{"-ping-period", "25ms", "-pong-wait", "500ms"}

const writerFile = "client.go (writePump)"

func TestKeepalive(t *testing.T) {
	checkNoLeaks(t)
	requireBroadcast(t, startHub(t))

	t.Run("pings an idle client and keeps it while it answers", func(t *testing.T) {
		t.Parallel() // each has a server of its own
		c := dial(t, startHub(t, shortKeepalive...), "client", clientOptions{pings: true})
		start := time.Now()
		// Thirty answered pings take longer than a ping period plus the
		// pong wait: a server that ignored the pongs would have dropped us.
		for i := 1; i <= 30; i++ {
			e, ok := c.next(time.Second)
			require.Truef(t, ok, "-ping-period 25ms: waiting for ping %d, %v after connecting: nothing within 1s; want a ping every 25ms (look at %s)", i, time.Since(start).Round(time.Millisecond), writerFile)
			if e.code != 0 || e.err != nil {
				t.Fatalf("-ping-period 25ms -pong-wait 500ms: after %d pings, each answered with a pong, got %s, %v after connecting; want the client kept: does every pong move the read deadline on (SetPongHandler)? (look at client.go: readPump)", i-1, e, time.Since(start).Round(time.Millisecond))
			}
			require.Truef(t, e.ping, "-ping-period 25ms: got %s while idle; want ping %d (look at %s)", e, i, writerFile)
		}
		c.send("still here")
		for {
			e, ok := c.next(readTimeout)
			require.Truef(t, ok, "after answering every ping for %v, sent text \"still here\": nothing came back within %v; want it back (a pong must keep the client: look at client.go: readPump)", time.Since(start).Round(time.Millisecond), readTimeout)
			if e.ping {
				continue
			}
			require.Truef(t, e.data == "still here", "after answering every ping for %v, sent text \"still here\": got %s; want it back (a pong must keep the client: look at client.go: readPump)", time.Since(start).Round(time.Millisecond), e)
			break
		}
	})

	t.Run("drops a client that does not answer", func(t *testing.T) {
		t.Parallel() // each has a server of its own
		c := dial(t, startHub(t, shortKeepalive...), "client", clientOptions{pings: true, silent: true})
		e, ok := c.next(time.Second)
		require.Truef(t, ok, "-ping-period 25ms: waiting for a ping, nothing came within 1s; want one after 25ms (look at %s)", writerFile)
		require.Truef(t, e.ping, "-ping-period 25ms: waiting for a ping, got %s; want one after 25ms (look at %s)", e, writerFile)
		const limit = 2500 * time.Millisecond // five times -pong-wait
		_, end, ok := c.expectClose(limit)
		require.Truef(t, ok, "-pong-wait 500ms: the server still held a client %v after a ping it did not answer; want it dropped about 500ms after: what ends readPump when no pong comes? (look at client.go: readPump)", limit)
		t.Logf("the client that did not answer ended with %s", end)
	})

	t.Run("broadcasts while pinging", func(t *testing.T) {
		t.Parallel() // each has a server of its own
		// A ping every millisecond among the messages: two goroutines
		// writing to one connection is a data race (-race) or a panic.
		c := dial(t, startHub(t, "-ping-period", "1ms", "-pong-wait", "2s"), "client", clientOptions{pings: true})
		// In batches smaller than the queue, so that no queue overflows.
		const n, batch = 200, queueSize / 2
		pings := 0
		for i := 0; i < n; {
			for j := i; j < min(i+batch, n); j++ {
				c.send(fmt.Sprint(j))
			}
			for end := min(i+batch, n); i < end; {
				e, ok := c.next(readTimeout)
				require.Truef(t, ok, "-ping-period 1ms: waiting for message %d of %d: nothing within %v (look at %s)", i+1, n, readTimeout, writerFile)
				if e.ping {
					pings++
					continue
				}
				require.Equalf(t, fmt.Sprint(i), e.data, "-ping-period 1ms: got %s; want text %q, message %d in order (look at %s)", e, fmt.Sprint(i), i+1, writerFile)
				i++
			}
		}
		t.Logf("%d pings came between the %d messages", pings, n)
	})
}

// requireLeave runs a hub of its own with two clients that have queues and
// no connections; one leaves, twice, and a message goes out. The one that
// left gets nothing more, and its queue stays open: only an eviction closes a
// queue, and the writer takes a closed queue for one.
func requireLeave(t *testing.T) {
	t.Helper()
	h, _ := runHub(t)
	c := &client{send: make(chan *message, queueSize)}
	other := &client{send: make(chan *message, queueSize)}
	require.Truef(t, h.join(c) && h.join(other), "hub.join returned false before the hub stopped; want true (look at hub.go: join)")
	h.leave(c)
	h.join(&client{send: make(chan *message, queueSize)}) // returns once run has taken the leave
	select {
	case _, ok := <-c.send:
		require.Truef(t, ok, "a hub took a client's leave and closed its queue; want it left open. Does the hub close a client's queue when it leaves? A closed queue tells the writer that its client was evicted, and it says 1008 \"too slow\" to a client that left; a client evicted before it leaves would have its queue closed twice (look at hub.go: run)")
	default:
	}
	h.leave(c) // a second leave finds it gone: nothing to do
	h.publish([]byte("after the leave"))
	h.join(&client{send: make(chan *message, queueSize)}) // returns once run has sent the message out
	select {
	case _, ok := <-other.send:
		require.Truef(t, ok, "a hub took a client's leave and closed another client's queue; want it open (look at hub.go: run)")
	default:
		require.FailNowf(t, "message not queued", "a hub with two clients, one of which left: a message went out and the other did not get it; want it in the queue (look at hub.go: run)")
	}
	select {
	case <-c.send:
		require.FailNowf(t, "message to a client that left", "a client left the hub, and the next message went into its queue anyway; want a client that left to get nothing more: nobody empties its queue now, which holds up to queueBytes for nothing until the hub evicts it. Does run take the client out of its set on a leave? (look at hub.go: run, leave)")
	default:
	}
}
