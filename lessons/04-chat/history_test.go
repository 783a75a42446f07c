package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const historyFiles = "room.go: run keeps the history, welcome sends it"

// say55 has three members of room send 55 messages ("m 0" to "m 54"), each
// within the burst the rate limit allows, and returns what the last member
// received: all of them, in order.
func say55(t *testing.T, ts *testServer, room string) []msg {
	t.Helper()
	var cs []*wsClient
	for i := range 3 {
		c, _ := join(t, ts, uniq("sender", i), room)
		for _, o := range cs {
			o.expect("join", "a sender joining", chatFiles)
		}
		cs = append(cs, c)
	}
	var got []msg
	for i := range 55 {
		cs[i%3].say(fmt.Sprintf("m %d", i))
		got = append(got, cs[2].expectChat(uniq("sender", i%3), fmt.Sprintf("m %d", i), chatFiles))
	}
	for _, c := range cs {
		c.close()
	}
	return got
}

// joinLeft joins a reader to room once the members there before it have all
// left: a closed connection's leave reaches the room a moment after the
// close, and a room with a member still in it would hide what the room does
// when its last member leaves. Each try is a new name, so that its own
// leave cannot be the one it waits for.
func joinLeft(t *testing.T, ts *testServer, room string) msg {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; ; i++ {
		name := uniq("reader", i)
		c, w := join(t, ts, name, room)
		if slices.Equal(w.Members, []string{name}) {
			return w
		}
		c.close()
		require.Falsef(t, time.Now().After(deadline), "%s joining %s after its members closed: got the members %v, until the test's deadline; want %s alone: a closed connection leaves its room (look at client.go: leave when the read loop ends)", name, room, w.Members, name)
	}
}

// overflowHint says, for a since of the largest int64, what goes wrong there.
func overflowHint(since string) string {
	if since != "9223372036854775807" {
		return ""
	}
	return "; since is the largest int64, where since+1 overflows to the smallest: compare each id with since itself"
}

// TestHistory: the welcome holds the last 50 messages of the room, in order.
func TestHistory(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)

	_, w := join(t, ts, "early", "hist-short")
	require.Emptyf(t, w.History, "welcome to a new room %s: want no history (look at %s)", short(w.raw), historyFiles)
	c, _ := join(t, ts, "ann", "hist-short")
	c.say("first")
	c.expectChat("ann", "first", chatFiles)
	c.say("second")
	sent := c.expectChat("ann", "second", chatFiles)
	_, w = join(t, ts, "late", "hist-short")
	require.Lenf(t, w.History, 2, "welcome after 2 messages %s: want both in \"history\" (look at %s)", short(w.raw), historyFiles)
	assert.Equalf(t, []string{"first", "second"}, texts(w.History), "welcome %s: want the messages oldest first (look at %s)", short(w.raw), historyFiles)
	entry := w.History[1]
	entry.raw, sent.raw = "", ""
	assert.Equalf(t, sent, entry, "welcome %s: want each history entry as the message was sent live (look at %s)", short(w.raw), historyFiles)

	got := say55(t, ts, "hist")
	w = joinLeft(t, ts, "hist")
	require.Lenf(t, w.History, 50, "welcome after 55 messages %s: got %d in \"history\"; want the last 50 (look at %s)", short(w.raw), len(w.History), historyFiles)
	assert.Equalf(t, ids(got[5:]), ids(w.History), "welcome after 55 messages: got the ids %v; want the last 50, oldest first (look at %s)", ids(w.History), historyFiles)
	assert.Equalf(t, texts(got[5:]), texts(w.History), "welcome after 55 messages: want the texts of the last 50, oldest first (look at %s)", historyFiles)
	for _, m := range w.History {
		require.Equalf(t, "message", m.Type, "history entry %s: want \"type\":\"message\", each entry a MESSAGE (look at %s)", short(m.raw), historyFiles)
	}
}

// TestResume: since=ID&epoch=EPOCH gives only the history after ID, unless
// the epoch is another's; a since that is not a non-negative integer is
// refused.
func TestResume(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)

	got := say55(t, ts, "res")
	_, w := join(t, ts, "epoch-reader", "res")
	epoch := w.Epoch
	kept := got[5:]
	id := func(i int) string { return strconv.FormatInt(kept[i].ID, 10) }

	last := kept[49].ID
	const maxInt64 = "9223372036854775807"
	other := "another-" + epoch
	cases := []struct {
		why          string
		since, epoch string
		noSince      bool // the query has no since at all
		want         []msg
	}{
		{"since the 48th kept message, this epoch", id(47), epoch, false, kept[48:]},
		{"since the 48th kept message, no epoch (the current one)", id(47), "", false, kept[48:]},
		{"since the newest message", id(49), epoch, false, nil},
		{"since the newest message, no epoch", id(49), "", false, nil},
		{"since one above the newest message", strconv.FormatInt(last+1, 10), epoch, false, nil},
		{"since 1000000, far above the newest message", "1000000", epoch, false, nil},
		{"since the largest int64", maxInt64, epoch, false, nil},
		{"since the largest int64, no epoch", maxInt64, "", false, nil},
		{"since the first kept message", id(0), epoch, false, kept[1:]},
		{"since 0", "0", epoch, false, kept},
		{"since 0, no epoch", "0", "", false, kept},
		{"since an id older than the kept history", strconv.FormatInt(got[0].ID, 10), epoch, false, kept},
		{"since the 48th message of another epoch (the server restarted)", id(47), other, false, kept},
		{"since the largest int64 of another epoch", maxInt64, other, false, kept},
		{"an empty since (no resume)", "", epoch, false, kept},
		{"an empty since, no epoch", "", "", false, kept},
		{"no since (no resume)", "", epoch, true, kept},
	}
	for i, tc := range cases {
		q := url.Values{"name": {uniq("resumer", i)}, "room": {"res"}}
		if tc.epoch != "" {
			q.Set("epoch", tc.epoch)
		}
		if !tc.noSince {
			q.Set("since", tc.since)
		}
		c := dialQuery(t, ts, "?"+q.Encode(), q.Encode())
		w := c.expect("welcome", "the welcome", welcomeFiles)
		assert.Equalf(t, ids(tc.want), ids(w.History), "?%s (%s): got the history ids %v; want %v (look at room.go: the welcome, which messages come after since%s)", q.Encode(), tc.why, ids(w.History), ids(tc.want), overflowHint(tc.since))
		c.close()
	}

	// Not a non-negative integer, or one no int64 holds: refused.
	for _, bad := range []string{"-1", "abc", "1.5", "0x10", "1e3", "9223372036854775808", "99999999999999999999"} {
		c := dialQuery(t, ts, "since="+bad, "name=bad&room=res&since="+bad)
		reason := c.expectRefused("since="+bad, "protocol.go: parseJoin, since must be a non-negative integer that fits in an int64")
		assert.Containsf(t, reason, "since", "since=%s: reason %q; want it to name since (look at protocol.go: parseJoin)", bad, reason)
		c.close()
	}

	// Every start of the server is a new epoch.
	ts2 := startChat(t)
	_, w2 := join(t, ts2, "ann", "res")
	assert.NotEqualf(t, epoch, w2.Epoch, "two servers started one after the other have the same epoch %q; want a new one every time the server starts (look at main.go: newEpoch, and room.go: the welcome gives it)", epoch)
	assert.Emptyf(t, w2.History, "a new server's welcome %s: want no history yet", short(w2.raw))
}
