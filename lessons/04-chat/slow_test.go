package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

const slowFiles = "room.go: run, where it queues each message for every member, and client.go: writePump"

// The flood comes in waves: a sender joins, sends floodBurst messages of
// 1 KB (the rate limit's burst) and leaves, until the readers have heard
// that slow left (on Linux after about 380 messages: its queue and what
// its TCP buffers hold), floodWaves at most: room for a queue of up to
// about 1,800 messages. A sender for each wave keeps
// every message within the rate limit, and few members keep the test fast.
const (
	floodReaders = 3
	floodBurst   = 20
	floodWaves   = 100
	floodWait    = time.Second // per message: ample for a room that goes on
)

// floodText is message i of the flood: its number, then as many letters as
// a message may have.
func floodText(i int) string {
	return fmt.Sprintf("%04d", i) + strings.Repeat("x", maxTextLength-4)
}

// nextFlood returns the next chat message c gets within floodWait. It
// passes over the senders' joins and leaves, and notes slow's leave in left.
func (c *wsClient) nextFlood(left *bool, what string) msg {
	c.tb.Helper()
	for {
		e, ok := c.next(floodWait)
		if !ok {
			c.tb.Fatalf("%s: waiting for %s while slow had stopped reading: nothing came within %v. Want every other member served as if nothing happened: does the room wait for a full queue? A full queue must evict its member, never block the room (look at %s)",
				c.name, what, floodWait, slowFiles)
		}
		if e.end() || (e.m.Type != "message" && e.m.Type != "join" && e.m.Type != "leave") {
			c.tb.Fatalf("%s: waiting for %s got %s; want chat messages, and joins and leaves (look at %s)", c.name, what, e, slowFiles)
		}
		if e.m.Type == "leave" && e.m.Name == "slow" {
			require.Falsef(c.tb, *left, "%s: got slow leaving twice; want it once (look at %s)", c.name, slowFiles)
			*left = true
		}
		if e.m.Type == "message" {
			return e.m
		}
	}
}

// joinFlood joins name to the room of the flood, whose room must let it in
// while slow is not reading.
func joinFlood(t *testing.T, ts *testServer, name string) *wsClient {
	t.Helper()
	c := dialQuery(t, ts, name+" in flood", url.Values{"name": {name}, "room": {"flood"}}.Encode())
	e, ok := c.next(readTimeout)
	if !ok {
		t.Fatalf("%s: waiting for its welcome while slow had stopped reading: nothing came within %v. Want the room to go on as if nothing happened: does the room wait for a full queue? A full queue must evict its member, never block the room (look at %s)",
			c.name, readTimeout, slowFiles)
	}
	require.Truef(t, !e.end() && e.m.Type == "welcome", "%s: got %s; want its welcome first (look at %s)", c.name, e, welcomeFiles)
	return c
}

// TestSlowMember: a member that stops reading is evicted once its queue is
// full: the others are told it left and go on getting every message, in
// order, and it gets close 1008 when it reads again.
func TestSlowMember(t *testing.T) {
	d := stallDialer()
	if d == nil {
		t.Skip("this system cannot make a client that stalls with little in flight; the test runs on Linux and macOS")
	}
	checkNoLeaks(t)
	ts := startServer(t)
	requireChat(t, ts)

	// slow reads its welcome, then nothing until the flood is over.
	gd := websocket.Dialer{HandshakeTimeout: readTimeout, NetDialContext: d.DialContext}
	slow, _, err := gd.Dial("ws://"+ts.addr+"/ws?"+url.Values{"name": {"slow"}, "room": {"flood"}}.Encode(), nil)
	require.NoErrorf(t, err, "slow: dial; want 101 Switching Protocols (look at client.go: serveWS)")
	defer slow.Close()
	slow.SetReadLimit(1 << 20)
	slow.SetReadDeadline(time.Now().Add(readTimeout))
	_, data, err := slow.ReadMessage()
	require.NoErrorf(t, err, "slow: waiting for its welcome (look at %s)", welcomeFiles)
	require.Containsf(t, string(data), `"welcome"`, "slow: got %s; want its welcome first (look at %s)", short(string(data)), welcomeFiles)

	var readers []*wsClient
	for i := range floodReaders {
		c, _ := join(t, ts, uniq("reader", i), "flood")
		for _, o := range readers {
			o.expect("join", c.name+" joining", chatFiles)
		}
		readers = append(readers, c)
	}

	start := time.Now()
	left := make([]bool, floodReaders) // which readers heard slow leave
	lastID := make([]int64, floodReaders)
	order := map[int64]string{} // the text of each id, as the first reader got it
	sent := 0
	for wave := 0; wave < floodWaves && slices.Contains(left, false); wave++ {
		sender := joinFlood(t, ts, uniq("sender", wave))
		texts := make([]string, floodBurst)
		for i := range texts {
			texts[i] = floodText(sent + i)
			sender.say(texts[i])
		}
		sent += floodBurst
		var senderLeft bool
		for i, text := range texts {
			what := fmt.Sprintf("message %d of the flood", sent-floodBurst+i+1)
			sender.nextFlood(&senderLeft, what+" (its own)")
			for k, c := range readers {
				m := c.nextFlood(&left[k], what)
				require.Equalf(t, text, m.Text, "%s: got %s; want %s, the next message of %s, who sent %d (look at %s)", c.name, short(m.raw), short(text), sender.name, floodBurst, slowFiles)
				require.Greaterf(t, m.ID, lastID[k], "%s: got id %d after id %d; want ids that grow (look at %s)", c.name, m.ID, lastID[k], slowFiles)
				lastID[k] = m.ID
				if other, ok := order[m.ID]; ok {
					require.Equalf(t, other, m.Text, "%s: id %d is %s; another reader got %s under that id; want one order for every member (look at %s)", c.name, m.ID, short(m.Text), short(other), slowFiles)
				}
				order[m.ID] = m.Text
			}
		}
		sender.close() // it has read its own messages: the room has taken them all
	}
	t.Logf("%d messages of 1 KB, from %d senders in turn, reached the readers in %v", sent, sent/floodBurst, time.Since(start).Round(time.Millisecond))
	for k, c := range readers {
		for !left[k] {
			e, ok := c.next(readTimeout)
			require.Truef(t, ok, "%s: after %d messages, slow, who stopped reading, was still in the room: nothing came within %v; want slow evicted once its queue, a bounded one, was full, and the others told it left (look at %s)", c.name, sent, readTimeout, slowFiles)
			require.Falsef(t, e.end() || e.m.Type == "message", "%s: waiting for slow leaving got %s; want slow evicted once its queue was full, and the others told it left (look at %s)", c.name, e, slowFiles)
			left[k] = e.m.Type == "leave" && e.m.Name == "slow"
		}
	}

	// slow reads at last: what reached it, in order, then the close frame.
	deadline := time.Now().Add(2 * time.Second)
	var last int64
	got := 0
	for {
		slow.SetReadDeadline(deadline)
		_, data, err := slow.ReadMessage()
		if err == nil {
			var m msg
			require.NoErrorf(t, json.Unmarshal(data, &m), "slow, reading at last: got %s; want JSON", short(string(data)))
			if m.Type != "message" {
				continue // joins and leaves
			}
			require.Truef(t, last == 0 || m.ID == last+1, "slow, reading at last: got id %d after %d; want the next in order: a slow member may miss the end, never a message in the middle (look at %s)", m.ID, last, slowFiles)
			last = m.ID
			got++
			continue
		}
		require.Lessf(t, got, sent, "slow received all %d messages and no close frame; want it evicted and closed with 1008 once its queue was full (look at %s)", sent, slowFiles)
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatalf("slow read %d messages, then nothing for 2s and no close frame; want close 1008 once its queue filled up (look at %s)", got, slowFiles)
		}
		// The writer was blocked, not broken: once slow reads, the close
		// frame can be written, so here a drop is not enough.
		ce, ok := errors.AsType[*websocket.CloseError](err)
		require.Truef(t, ok && ce.Code == websocket.ClosePolicyViolation, "slow, reading at last, after %d messages: got %v; want close 1008 (policy violation): it can read now, so tell it why it was dropped (look at %s)", got, err, slowFiles)
		t.Logf("slow got %d messages, then close 1008 %q", got, ce.Text)
		break
	}

	// Nothing stalled: the others go on as before.
	readers[1].say("after the flood")
	var done bool
	for _, c := range readers {
		m := c.nextFlood(&done, `"after the flood"`)
		require.Equalf(t, "after the flood", m.Text, "%s: got %s; want reader1's \"after the flood\" (look at %s)", c.name, short(m.raw), slowFiles)
	}
}
