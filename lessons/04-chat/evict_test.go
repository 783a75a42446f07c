package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
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
	ts := startChat(t)
	requireChat(t, ts)

	// slow reads its welcome, then nothing until the flood is over.
	slow := joinRaw(t, ts, d, "slow", "flood")

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

// TestBurst: a burst is not slowness. Ten members each send the rate
// limit's whole burst at once, and an eleventh reads again only once it is
// over: every member gets all 200 messages, each sender's in its order, all
// in one order, and nobody is evicted. (Twenty senders make the same point at four times the cost.)
func TestBurst(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireChat(t, ts)
	const senders = 10
	const total = senders * messageBurst
	const where = "room.go: broadcast, where it evicts, and client.go: the bounds of the queue"

	// reader reads its welcome, then nothing until the burst is over, as a
	// page on a slow network: with little in flight, what it has not read
	// waits in its queue. A burst is not slowness: the queue must hold it.
	d := stallDialer()
	if d == nil {
		d = &net.Dialer{} // no small buffers here: the queue may not fill
	}
	reader := joinRaw(t, ts, d, "reader", "burst")

	var members []*wsClient
	for i := range senders {
		c, _ := join(t, ts, uniq("sender", i), "burst")
		for _, o := range members {
			o.expect("join", c.name+" joining", chatFiles)
		}
		members = append(members, c)
	}
	// Each sender's burst is one write of 20 frames, and all of them go at
	// once, as a script's burst comes: faster than the writers write.
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range members {
		var frames []byte
		for k := range messageBurst {
			// 300 bytes a message: the burst is more than the kernel's buffers
			// hold for reader, so its queue holds the rest.
			text := fmt.Sprintf("%s %d %s", uniq("sender", i), k, strings.Repeat("x", 280))
			frames = append(frames, clientFrame(fmt.Sprintf(`{"type":"message","text":"%s"}`, text))...)
		}
		wg.Go(func() {
			<-start
			nc := c.conn.NetConn() // one write of whole frames: nothing can come between them
			nc.SetWriteDeadline(time.Now().Add(readTimeout))
			nc.Write(frames) // if it fails, the reads below fail and say why
		})
	}
	close(start)
	wg.Wait()

	deadline := time.Now().Add(10 * time.Second) // one for all: 2200 deliveries
	burstFailed := func(who string, e event, got int) {
		t.Helper()
		what := "the connection open"
		switch {
		case e.m.Type == "leave":
			what = fmt.Sprintf("nobody evicted: %s left during the burst, though it was at most a burst behind", e.m.Name)
		case e.m.Type == "error":
			t.Fatalf("%s: got %s after %d of %d messages; want every message: each sender sent the burst the rate limit allows (look at ratelimit.go, and client.go: a bucket for each connection)", who, e, got, total)
		}
		t.Fatalf("%s: got %s after %d of %d messages; want all %d, %s. %d members sending the rate limit's burst at once is not a slow reader, and neither is a member that reads again a moment later. Does the queue hold what a busy room queues at once (%d members: %d messages and more), and is it bounded by what tells a member that stopped reading from one that a burst keeps busy (the bytes waiting, as lesson 03 counted them)? (look at %s)",
			who, e, got, total, total, what, senders, senders+1, total, where)
	}
	// check takes one member's messages in turn: each sender's in the order
	// it sent them, and every member's in one order.
	var first []int64
	check := func(who string, got []int64, order []int, m msg) []int64 {
		t.Helper()
		var s, k int
		_, err := fmt.Sscanf(m.Text, "sender%d %d", &s, &k)
		require.NoErrorf(t, err, "%s: got %s; want a sender's message \"senderN K\" (look at %s)", who, short(m.raw), chatFiles)
		require.Equalf(t, order[s], k, "%s: sender%d's message %d came after its message %d; want each sender's messages in the order it sent them (look at %s)", who, s, k, order[s]-1, chatFiles)
		order[s]++
		got = append(got, m.ID)
		if len(got) == total {
			if first == nil {
				first = got
			} else {
				require.Equalf(t, first, got, "%s got the %d messages in another order than %s; want one order for every member, the room's (look at room.go: run)", who, total, members[0].name)
			}
		}
		return got
	}
	// The senders read as fast as they can: once they have every message,
	// the room has queued all of them for reader too.
	for _, c := range members {
		order := make([]int, senders) // the next number each sender's messages must have
		var got []int64
		for len(got) < total {
			e, ok := c.next(time.Until(deadline))
			require.Truef(t, ok, "%s: %d members sent %d messages each at once; got %d of the %d, then nothing within 10s of the burst (look at %s)", c.name, senders, messageBurst, len(got), total, where)
			if e.end() || e.m.Type != "message" {
				burstFailed(c.name, e, len(got))
			}
			got = check(c.name, got, order, e.m)
		}
	}
	// reader reads again: the joins it missed, then the whole burst.
	order := make([]int, senders)
	var got []int64
	for len(got) < total {
		reader.SetReadDeadline(deadline)
		_, data, err := reader.ReadMessage()
		if err != nil {
			e := event{err: err}
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				e = event{code: ce.Code, reason: ce.Text}
			}
			burstFailed("reader, which read again after the burst", e, len(got))
		}
		var m msg
		require.NoErrorf(t, json.Unmarshal(data, &m), "reader: got %s; want JSON (look at %s)", short(string(data)), chatFiles)
		m.raw = string(data)
		if m.Type == "join" {
			continue
		}
		if m.Type != "message" {
			burstFailed("reader, which read again after the burst", event{m: m, text: true}, len(got))
		}
		got = check("reader", got, order, m)
	}
}

// clientFrame is a masked text frame holding data (under 64 KiB), as a
// client sends it.
func clientFrame(data string) []byte {
	key := [4]byte{0x5a, 0x17, 0xc3, 0x99}
	f := []byte{0x81, 0x80 | byte(len(data))}
	if len(data) > 125 {
		f = []byte{0x81, 0x80 | 126, byte(len(data) >> 8), byte(len(data))}
	}
	f = append(f, key[:]...)
	for i := range len(data) {
		f = append(f, data[i]^key[i%4])
	}
	return f
}

// TestEvicted: an evicted member is out of the room for good. Its
// connection is still read until its close handshake ends, and nothing it
// posts there reaches anyone, also once a new member has taken its name;
// its leave, when its handler ends, takes nobody else out.
func TestEvicted(t *testing.T) {
	checkNoLeaks(t)
	r := startRoom(t, "evicted")
	const slots = 4
	ann := roomJoin(t, r, "ann", slots) // the test never reads her queue
	bob := roomJoin(t, r, "bob", 64)
	queued(t, bob, "its welcome")

	// nextChat returns the next chat message in c's queue, counting the
	// leaves of ann before it, and checks that it is from with text.
	leaves := 0
	nextChat := func(c *client, from, text, why string) {
		t.Helper()
		for {
			m := queued(t, c, fmt.Sprintf("%s's message %q", from, text))
			if m.Type == "leave" && m.Name == "ann" {
				leaves++
				continue
			}
			if m.Type == "join" && m.Name == "ann" {
				continue
			}
			if m.Type != "message" || m.From != from || m.Text != text {
				t.Fatalf("%s's queue: got %s; want %s's message %q: %s", c.name, short(m.raw), from, text, why)
			}
			return
		}
	}

	// bob speaks until ann's queue is full: the room evicts her.
	for i := range slots + 2 {
		text := fmt.Sprintf("filler %d", i)
		r.post(bob, text)
		nextChat(bob, "bob", text, "every member gets each message, the sender included (look at room.go: run)")
	}
	r.post(bob, "ann is out")
	nextChat(bob, "bob", "ann is out", "the room goes on (look at room.go: run)")
	require.Equalf(t, 1, leaves, "bob: after %d messages, ann's queue of %d slots (which the test never reads) was full; bob heard ann leave %d times; want her evicted once her queue was full, and the others told once (look at room.go: run and broadcast)", slots+3, slots, leaves)

	// Her connection is read until its close handshake ends.
	r.post(ann, "from ann, who was evicted")
	r.post(bob, "after the evicted ann's post")
	nextChat(bob, "bob", "after the evicted ann's post", "a post from ann, whom the room had evicted, reached bob; want nothing from a client that is no longer a member: its connection is still read until the close handshake ends, and the room must drop what it posts (look at room.go: run, where it takes a post)")

	// A new ann takes the name; the old connection must not speak under it.
	ann2 := roomJoin(t, r, "ann", 64)
	queued(t, ann2, "the new ann's welcome")
	r.post(ann, "from the old ann, under the new one's name")
	r.post(bob, "after the old ann's post")
	const byClient = "a new ann had taken the name after the old one was evicted, and the old connection's post reached the room as from ann; want posts only from the very client that is the member: compare the client, not its name (look at room.go: run, where it takes a post)"
	nextChat(bob, "bob", "after the old ann's post", byClient)
	nextChat(ann2, "bob", "after the old ann's post", byClient)

	// The old connection's handler ends and leaves: the new ann stays.
	r.leave(ann)
	r.post(bob, "after the old ann's leave")
	const leaveByClient = "when the old ann's handler ended and called leave, the room took out the new ann, who holds the name now; want a leave to take out only the very client that is the member (look at room.go: leave, and run)"
	nextChat(bob, "bob", "after the old ann's leave", leaveByClient)
	require.Equalf(t, 1, leaves, "bob heard ann leave again when the old, evicted ann's handler ended: %s", leaveByClient)
	nextChat(ann2, "bob", "after the old ann's leave", leaveByClient)

	// Each operation twice: the new ann leaves twice, then posts.
	r.leave(ann2)
	r.leave(ann2)
	r.post(ann2, "from the new ann, after she left")
	r.post(bob, "after ann left twice")
	nextChat(bob, "bob", "after ann left twice", "a post from ann after she left reached bob; want nothing from a client that is no longer a member (look at room.go: run, where it takes a post)")
	require.Equalf(t, 2, leaves, "bob heard the new ann leave %d times after she called leave twice; want once: the second leave finds her gone (look at room.go: leave, and run)", leaves-1)
}

// joinRaw joins name to room through d, reads the welcome and returns the
// bare connection, which reads nothing more until the test says so.
func joinRaw(t *testing.T, ts *testServer, d *net.Dialer, name, room string) *websocket.Conn {
	t.Helper()
	gd := websocket.Dialer{HandshakeTimeout: readTimeout, NetDialContext: d.DialContext}
	c, _, err := gd.Dial("ws://"+ts.addr+"/ws?"+url.Values{"name": {name}, "room": {room}}.Encode(), nil)
	require.NoErrorf(t, err, "%s: dial; want 101 Switching Protocols (look at client.go: serveWS)", name)
	t.Cleanup(func() { c.Close() })
	c.SetReadLimit(1 << 20)
	c.SetReadDeadline(time.Now().Add(readTimeout))
	_, data, err := c.ReadMessage()
	require.NoErrorf(t, err, "%s: waiting for its welcome (look at %s)", name, welcomeFiles)
	require.Containsf(t, string(data), `"welcome"`, "%s: got %s; want its welcome first (look at %s)", name, short(string(data)), welcomeFiles)
	return c
}
