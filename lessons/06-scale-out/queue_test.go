package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

const queueFiles = "deliver.go: broadcast, which queues each message for every local member without waiting, and evicts a member whose queue is full"

// The flood comes in waves: a sender joins, sends floodBurst messages of
// 1 KB (the rate limit's burst) and leaves, floodWaves times: 600 messages,
// well over slow's queue of 256 and what its TCP buffers hold (about 120).
const (
	floodReaders = 2
	floodBurst   = messageBurst
	floodWaves   = 30
	floodWait    = 2 * time.Second // per message: ample for a room that goes on
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
				c.name, what, floodWait, queueFiles)
		}
		if e.end() || (e.m.Type != "message" && e.m.Type != "join" && e.m.Type != "leave") {
			c.tb.Fatalf("%s: waiting for %s got %s; want chat messages, and joins and leaves (look at %s)", c.name, what, e, queueFiles)
		}
		if e.m.Type == "leave" && e.m.Name == "slow" {
			require.Falsef(c.tb, *left, "%s: got slow leaving twice; want it once (look at %s)", c.name, queueFiles)
			*left = true
		}
		if e.m.Type == "message" {
			return e.m
		}
	}
}

// TestSlowMember: a member that stops reading is evicted once its queue is
// full, and the others go on getting every message, in order. When it reads
// again it gets what its queue held, then close 1008; the others are told it
// left; and its name is free for the next member, who gets every message
// from then on.
func TestSlowMember(t *testing.T) {
	inLessonOrder(t)
	d := stallDialer()
	if d == nil {
		t.Skip("this system cannot make a client that stalls with little in flight; the test runs on Linux and macOS")
	}
	checkNoLeaks(t)
	ts := startServer(t)

	// slow reads its welcome, then nothing until the flood is over.
	slow := joinRaw(t, ts, d, "slow", "flood")
	var readers []*wsClient
	for i := range floodReaders {
		c, _ := join(t, ts, uniq("reader", i), "flood")
		for _, o := range readers {
			o.expectJoin(c.member, c.name+" joining", presenceFiles)
		}
		readers = append(readers, c)
	}

	start := time.Now()
	left := make([]bool, floodReaders) // which readers heard slow leave
	lastID := make([]int64, floodReaders)
	sent := 0
	for wave := range floodWaves {
		// A room that waits on slow's full queue lets no one in either.
		name := uniq("sender", wave)
		sender := dialQuery(t, ts, name+" in flood", "room=flood&name="+name)
		sender.expect("welcome", "the welcome, while slow has stopped reading", "does the room wait for a full queue? A full queue must evict its member, never block the room: "+queueFiles)
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
				require.Equalf(t, text, m.Text, "%s: got %s; want %s, the next message of %s, who sent %d: a member that keeps reading gets every message, in order, whoever else is slow (look at %s)", c.name, short(m.raw), short(text), sender.name, floodBurst, queueFiles)
				require.Greaterf(t, m.ID, lastID[k], "%s: got id %d after id %d; want ids that grow (look at %s)", c.name, m.ID, lastID[k], queueFiles)
				lastID[k] = m.ID
			}
		}
		sender.close()
	}
	t.Logf("%d messages of 1 KB, from %d senders in turn, reached the readers in %v", sent, sent/floodBurst, time.Since(start).Round(time.Millisecond))
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
			require.Truef(t, last == 0 || m.ID > last, "slow, reading at last: got id %d after %d; want ids that grow (look at %s)", m.ID, last, queueFiles)
			last = m.ID
			got++
			continue
		}
		require.Lessf(t, got, sent, "slow received all %d messages and no close frame; want it evicted and closed with 1008 once its queue was full (look at %s)", sent, queueFiles)
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatalf("slow read %d messages, then nothing for 2s and no close frame; want close 1008: a member whose queue is full is evicted, not skipped (a skipped message is a gap it never hears of): take it out of the room and close its queue (close(c.send)), on which its writer closes with 1008 (look at %s)", got, queueFiles)
		}
		ce, ok := errors.AsType[*websocket.CloseError](err)
		require.Truef(t, ok && ce.Code == websocket.ClosePolicyViolation, "slow, reading at last, after %d messages: got %v; want close 1008 (policy violation) (look at %s)", got, err, queueFiles)
		t.Logf("slow got %d messages, then close 1008 %q", got, ce.Text)
		break
	}
	// Its connection has ended, and with it its claim.
	for k, c := range readers {
		for !left[k] {
			e, ok := c.next(readTimeout)
			require.Truef(t, ok, "%s: slow was closed with 1008, and nothing came within %v; want slow leaving (look at %s)", c.name, readTimeout, presenceFiles)
			require.Falsef(t, e.end() || e.m.Type == "message", "%s: waiting for slow leaving got %s; want slow leaving once its connection ended (look at %s)", c.name, e, presenceFiles)
			left[k] = e.m.Type == "leave" && e.m.Name == "slow"
		}
	}

	// The name is free again, and the new slow gets what is said: the old
	// connection's leave, which came after the eviction, took nothing away.
	slow2, _ := join(t, ts, "slow", "flood")
	for _, c := range readers {
		for {
			e, ok := c.next(readTimeout)
			require.Truef(t, ok && !e.end() && e.m.Type != "message", "%s: waiting for the new slow joining, got %s; want its join (look at %s)", c.name, e, presenceFiles)
			if e.m.Type == "join" && e.m.Name == "slow" {
				break // the senders' leaves may come before
			}
		}
	}
	readers[1].say("after the flood")
	var done bool
	for _, c := range append(readers, slow2) {
		m := c.nextFlood(&done, `"after the flood"`)
		require.Equalf(t, "after the flood", m.Text, "%s: got %s; want reader1's \"after the flood\": a leave takes out the member that asked, never another of the same name (look at deliver.go: broadcast, which takes an evicted member out of local)", c.name, short(m.raw))
	}
}

// joinRaw joins name to room through d, reads the welcome and returns the
// connection, which nothing reads from then on.
func joinRaw(t *testing.T, ts *testServer, d *net.Dialer, name, room string) *websocket.Conn {
	t.Helper()
	gd := websocket.Dialer{HandshakeTimeout: readTimeout, NetDialContext: d.DialContext}
	c, _, err := gd.Dial("ws://"+ts.addr+"/ws?"+url.Values{"name": {name}, "room": {room}}.Encode(), nil)
	require.NoErrorf(t, err, "%s: dial; want 101 Switching Protocols (look at client.go: serveWS; it is given)", name)
	t.Cleanup(func() { c.Close() })
	c.SetReadLimit(1 << 20)
	c.SetReadDeadline(time.Now().Add(readTimeout))
	_, data, err := c.ReadMessage()
	require.NoErrorf(t, err, "%s: waiting for its welcome (look at %s)", name, welcomeFiles)
	require.Containsf(t, string(data), `"welcome"`, "%s: got %s; want its welcome first (look at %s)", name, short(string(data)), welcomeFiles)
	return c
}

const burstFiles = "consume.go: the consumer and what it fetches ahead (pullBatch), and broker.go: what the stream keeps of each room"

// TestBurst: a burst is not a loss. Twenty members, on two instances, each
// send the rate limit's whole burst at once: 400 messages reach the stream
// faster than any room fetches them. A member that only reads gets every
// one of them, in the one order every member gets, each sender's in the
// order it sent them; nobody is evicted and nobody gets an error.
func TestBurst(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	_, in := startInstances(t, 2)
	requireChat(t, in[0])
	const senders = 20
	const total = senders * messageBurst

	reader, _ := join(t, in[0], "reader", "burst")
	var members []*wsClient
	for i := range senders {
		c, _ := join(t, in[i%2], uniq("sender", i), "burst")
		members = append(members, c)
	}
	// Each sender's burst is one write of 20 frames, and all of them go at
	// once, as a script's burst comes.
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range members {
		var frames []byte
		for k := range messageBurst {
			frames = append(frames, clientFrame(fmt.Sprintf(`{"type":"message","text":"%s %d"}`, uniq("sender", i), k))...)
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

	deadline := time.Now().Add(15 * time.Second) // one for all: 8400 deliveries
	// all reads c's chat messages until it has total of them, checking each
	// sender's order, and returns their ids.
	all := func(c *wsClient) []int64 {
		t.Helper()
		order := make([]int, senders) // the number each sender's next message must have
		var got []int64
		for len(got) < total {
			e, ok := c.next(time.Until(deadline))
			require.Truef(t, ok, "%s: %d members on two instances sent the rate limit's burst of %d at once; got %d of the %d messages, then nothing within 15s. Want every one: the stream takes them faster than a room's consumer fetches them, and one the stream drops before it is fetched is lost to every member without a word (look at %s)",
				c.name, senders, messageBurst, len(got), total, burstFiles)
			if e.end() || e.m.Type == "error" || e.m.Type == "leave" {
				t.Fatalf("%s: got %s after %d of %d messages; want all %d, the connection open and nobody evicted: %d members sending the rate limit's burst is not a slow reader (look at %s)", c.name, e, len(got), total, total, senders, burstFiles)
			}
			if e.m.Type != "message" {
				continue // the senders' joins
			}
			var s, k int
			_, err := fmt.Sscanf(e.m.Text, "sender%d %d", &s, &k)
			require.NoErrorf(t, err, "%s: got %s; want a sender's message \"senderN K\" (look at %s)", c.name, short(e.m.raw), chatFiles)
			if k != order[s] {
				t.Fatalf("%s: sender%d's message %d came after its message %d, %d messages in; want each sender's messages in the order it sent them, none missing: a gap is a message lost between the stream and the room (look at %s)",
					c.name, s, k, order[s]-1, len(got), burstFiles)
			}
			order[s]++
			if n := len(got); n > 0 && e.m.ID <= got[n-1] {
				t.Fatalf("%s: message id %d came after %d; want ids growing, in the stream's order (look at %s)", c.name, e.m.ID, got[n-1], chatFiles)
			}
			got = append(got, e.m.ID)
		}
		return got
	}
	want := all(reader)
	for _, c := range members {
		require.Equalf(t, want, all(c), "%s got the %d messages in another order than reader; want one order for every member, on either instance: the stream's (look at %s)", c.name, total, chatFiles)
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
