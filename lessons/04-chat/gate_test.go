package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNames: names and rooms are 1 to 32 of A-Z a-z 0-9 _ - . and a name is
// unique within its room. A refusal is an error message, then close 1008
// with the same reason.
func TestNames(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)

	refusals := []struct{ why, query, word string }{
		{"no name", "room=lobby", "name"},
		{"an empty name", "name=&room=lobby", "name"},
		{"a name of 33 characters", "name=" + strings.Repeat("n", 33), "name"},
		{"a name with a space", "name=" + url.QueryEscape("ann lee"), "name"},
		{"a name with a non-ASCII letter", "name=" + url.QueryEscape("zoë"), "name"},
		{"a name that is HTML", "name=" + url.QueryEscape("<b>ann</b>"), "name"},
		{"a name with a slash", "name=a%2Fb", "name"},
		{"a room of 33 characters", "name=ann&room=" + strings.Repeat("r", 33), "room"},
		{"a room with a space", "name=ann&room=" + url.QueryEscape("red room"), "room"},
		{"a room with a colon", "name=ann&room=a:b", "room"},
	}
	for _, tc := range refusals {
		c := dialQuery(t, ts, "?"+tc.query, tc.query)
		reason := c.expectRefused(tc.why, "protocol.go: parseJoin, and client.go: serveWS refuses")
		assert.Containsf(t, strings.ToLower(reason), tc.word, "?%s (%s): reason %q; want it to say what was wrong with the %s (look at protocol.go: parseJoin)", tc.query, tc.why, reason, tc.word)
		c.close()
	}

	for _, ok := range []string{"a", strings.Repeat("N", 32), "Ann_Lee-2.0"} {
		c, w := join(t, ts, ok, "names")
		assert.Equalf(t, ok, w.You, "welcome %s: want \"you\":%q (look at protocol.go: parseJoin, the check of names)", w.raw, ok)
		c.close()
	}
	c, w := join(t, ts, "ann", strings.Repeat("R", 32))
	assert.Equalf(t, strings.Repeat("R", 32), w.Room, "welcome %s: a room of 32 characters is valid (look at protocol.go: parseJoin)", w.raw)
	c.close()

	// A taken name in the same room is refused; the holder stays.
	ann, _ := join(t, ts, "ann", "taken")
	other := dialQuery(t, ts, "a second ann in taken", "name=ann&room=taken")
	reason := other.expectRefused("the name ann is taken in room taken", "room.go: run refuses a name taken in the room")
	assert.Containsf(t, reason, "taken", "reason %q; want it to say the name is taken (look at room.go)", reason)
	ann.say("still here")
	ann.expectChat("ann", "still here", "room.go: a refused joiner must not disturb the member who holds the name")

	// The name is free again once its holder has left.
	watcher, _ := join(t, ts, "watcher", "taken")
	ann.close()
	l := watcher.expect("leave", "ann leaving", "room.go: run")
	require.Equalf(t, "ann", l.Name, "watcher got %s; want ann leaving (look at room.go)", l.raw)
	_, w = join(t, ts, "ann", "taken")
	assert.ElementsMatchf(t, []string{"ann", "watcher"}, w.Members, "welcome %s: ann came back after leaving; want members ann and watcher (look at room.go: leave frees the name)", w.raw)
}
