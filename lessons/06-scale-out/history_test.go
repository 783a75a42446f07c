package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const historyFiles = "consume.go: consume follows the room's subject from the first message the stream keeps, history.go: keep, and welcome.go: welcome sends the history"

// say55 has three members of room, on the instances given in turn, send 55
// messages, each its own in order ("m 0", "m 3", ... from the first), all at
// once, within the rate limit's burst, and returns what the last member
// received, in the stream's order.
func say55(t *testing.T, in []*testServer, room string) []msg {
	t.Helper()
	var cs []*wsClient
	for i := range 3 {
		c, _ := join(t, in[i%len(in)], uniq("sender", i), room)
		for _, o := range cs {
			o.expectJoin(uniq("sender", i), "a sender joining", chatFiles)
		}
		cs = append(cs, c)
	}
	for i := range 55 {
		cs[i%3].say(fmt.Sprintf("m %d", i))
	}
	var got []msg
	next := make([]int, 3) // the next message expected from each sender
	for range 55 {
		m := cs[2].expect("message", "the 55 messages of three senders", chatFiles)
		var k int
		_, err := fmt.Sscanf(m.Text, "m %d", &k)
		require.NoErrorf(t, err, "%s got %s; want one of the 55 messages (look at %s)", cs[2].name, short(m.raw), chatFiles)
		require.Equalf(t, fmt.Sprintf("m %d", next[k%3]*3+k%3), m.Text, "%s got %s; want each sender's messages once, in the order it sent them (look at %s)", cs[2].name, short(m.raw), chatFiles)
		next[k%3]++
		got = append(got, m)
	}
	for _, c := range cs {
		c.close()
	}
	return got
}

// TestHistory: the welcome holds the room's last 50 messages from the
// stream, on any instance, also one started after they were sent.
func TestHistory(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	natsURL, in := startInstances(t, 2)

	c, _ := join(t, in[0], "ann", "hist-short")
	c.say("first")
	c.expectChat("ann", "first", chatFiles)
	// Something on the room's subject that no instance wrote (by hand, or a
	// tool): stored with an id, but no chat message; nobody gets it.
	nc, err := nats.Connect(natsURL)
	require.NoError(t, err, "the test's own connection to NATS")
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	_, err = js.Publish(ctx, roomSubject("hist-short"), []byte("not json"))
	require.NoError(t, err, "the test publishing \"not json\" on the room's subject")
	c.say("second")
	sent := c.expectChat("ann", "second", chatFiles)
	_, w := join(t, in[1], "late", "hist-short")
	require.Lenf(t, w.History, 2, "welcome on the other instance after 2 messages, and \"not json\" published on the room's subject between them %s: want the 2 messages in \"history\", and nothing for what is not a chat message (look at %s, and consume.go: decode)", short(w.raw), historyFiles)
	assert.Equalf(t, []string{"first", "second"}, texts(w.History), "welcome %s: want the messages oldest first (look at %s)", short(w.raw), historyFiles)
	entry := w.History[1]
	entry.raw, sent.raw = "", ""
	assert.Equalf(t, sent, entry, "welcome %s: want each history entry as the message was sent live, the same id and time (look at %s)", short(w.raw), historyFiles)

	got := say55(t, in, "hist")
	_, w = join(t, in[1], "reader", "hist")
	require.Lenf(t, w.History, 50, "welcome after 55 messages %s: got %d in \"history\"; want the last 50 (look at %s)", short(w.raw), len(w.History), historyFiles)
	assert.Equalf(t, ids(got[5:]), ids(w.History), "welcome after 55 messages: got the ids %v; want the last 50, oldest first (look at %s)", ids(w.History), historyFiles)

	// An instance started now, after every message was sent, has them all:
	// the history is the stream's, not an instance's memory.
	fresh := startServer(t, "-nats", natsURL)
	_, w = join(t, fresh, "newcomer", "hist")
	assert.Equalf(t, ids(got[5:]), ids(w.History), "welcome from an instance started after the 55 messages: got the ids %v; want the last 50, from the stream (look at %s)", ids(w.History), historyFiles)
	c, _ = join(t, fresh, "after", "hist")
	c.say("after the restart")
	m := c.expectChat("after", "after the restart", chatFiles)
	assert.Greaterf(t, m.ID, got[54].ID, "a message sent on an instance started later has id %d, the last before it had %d; want ids that keep growing: the stream's sequence, not a count of the instance's (look at consume.go: decode)", m.ID, got[54].ID)
}

// TestResume: since and epoch as in lesson 04, on any instance; the epoch is
// the stream's, the same after an instance restarts, and another only with
// another stream.
func TestResume(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	natsURL, in := startInstances(t, 2)

	got := say55(t, in, "res")
	_, w := join(t, in[0], "epoch-reader", "res")
	epoch := w.Epoch
	kept := got[5:]
	id := func(i int) string { return strconv.FormatInt(kept[i].ID, 10) }

	cases := []struct {
		why          string
		since, epoch string
		want         []msg
	}{
		{"since the 48th kept message, this epoch", id(47), epoch, kept[48:]},
		{"since the 48th kept message, no epoch (the current one)", id(47), "", kept[48:]},
		{"since the newest message", id(49), epoch, nil},
		{"since one above the newest message", strconv.FormatInt(kept[49].ID+1, 10), epoch, nil},
		{"since the largest id there can be, 9223372036854775807: since+1 would overflow", strconv.FormatInt(math.MaxInt64, 10), epoch, nil},
		{"since 0", "0", epoch, kept},
		{"since an id older than the kept history", strconv.FormatInt(got[0].ID, 10), epoch, kept},
		{"since the 48th message of another epoch (another stream)", id(47), "another-" + epoch, kept},
		{"an empty since (no resume)", "", epoch, kept},
	}
	for i, tc := range cases {
		extra := []string{"epoch", tc.epoch}
		if tc.since != "" || i == len(cases)-1 {
			extra = append(extra, "since", tc.since)
		}
		c, w := join(t, in[i%2], uniq("resumer", i), "res", extra...)
		assert.Equalf(t, ids(tc.want), ids(w.History), "since=%q epoch=%q (%s), on instance %d: got the history ids %v; want %v (look at %s)", tc.since, tc.epoch, tc.why, i%2+1, ids(w.History), ids(tc.want), "welcome.go: welcome")
		c.close()
	}

	for _, since := range []string{"abc", "-1", "9223372036854775808"} {
		c := dialQuery(t, in[1], "since="+since, "name=bad&room=res&since="+since)
		reason := c.expectRefused("since="+since+", not an id", "protocol.go: parseJoin")
		assert.Containsf(t, reason, "since", "since=%s: reason %q; want it to name since", since, reason)
		c.close()
	}

	// A restarted instance keeps the epoch: the stream is the same.
	restarted := startServer(t, "-nats", natsURL)
	_, w = join(t, restarted, "after-restart", "res")
	assert.Equalf(t, epoch, w.Epoch, "an instance started later gives epoch %q, the others %q; want the stream's, the same while the stream lives, so that resuming clients are not sent everything again (look at welcome.go: welcome gives r.b.epoch)", w.Epoch, epoch)

	// Another NATS server, another stream: another epoch, ids from 1.
	other := startServer(t, "-nats", startNATS(t))
	_, w = join(t, other, "elsewhere", "res")
	assert.NotEqualf(t, epoch, w.Epoch, "an instance on another NATS server (another stream) gives the same epoch %q; want another: its ids start over (look at welcome.go: welcome gives r.b.epoch)", epoch)
	assert.Emptyf(t, w.History, "a new stream's welcome %s: want no history", short(w.raw))
}
