package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const emptyRoomFiles = "room.go: run returns when its last member leaves a room that holds no messages; rooms.go then forgets it"

// TestEmptyRooms: a room with no members and no messages holds nothing, and
// ends; one with messages is kept, and the server keeps at most -max-rooms
// of those. Without that, a script naming room after room would lock
// everyone out of new rooms until the server restarts.
func TestEmptyRooms(t *testing.T) {
	checkNoLeaks(t)
	const maxRooms = 3
	ts := startChat(t, "-max-rooms", "3")
	requireWelcome(t, ts) // room "first", left empty
	requireChat(t, ts)    // room "echo-check", which keeps its messages: 1 of 3

	// Ten rooms, one after the other, each left as it was found: none is
	// kept. The server lets a room go once it has read its last member's
	// goodbye, which may come a moment after the next join: each join may
	// be tried again for a while.
	for i := range 10 {
		c, _ := joinWhenFree(t, ts, "ann", "empty-"+string(rune('a'+i)))
		c.close()
	}

	// Rooms that hold messages are kept: two more reach the limit...
	for _, room := range []string{"kept-1", "kept-2"} {
		c, _ := joinWhenFree(t, ts, "ann", room)
		c.say("in " + room)
		c.expectChat("ann", "in "+room, chatFiles)
		c.close()
	}
	// ...and one more is refused.
	over := dialQuery(t, ts, "ann, in a fourth room with 3 kept", "name=ann&room=kept-3")
	reason := over.expectRefused("a new room when -max-rooms 3 rooms hold messages", "rooms.go: -max-rooms bounds the rooms that hold members or messages")
	assert.Containsf(t, reason, "too many rooms", "the refusal of a room past -max-rooms %d: got %q; want rooms.go's errTooManyRooms (look at client.go: the error from s.rooms.join is the reason)", maxRooms, reason)

	// A room kept at the limit still takes members, its history whole.
	c, w := join(t, ts, "bob", "kept-1")
	require.Lenf(t, w.History, 1, "bob's welcome in kept-1 %s, a room whose last member left: want its one message; a room that holds messages is kept when it is empty (look at %s)", w.raw, emptyRoomFiles)
	assert.Equalf(t, "in kept-1", w.History[0].Text, "bob's welcome in kept-1 %s; want ann's message (look at room.go: welcome)", w.raw)
	c.close()
}

// joinWhenFree joins name to room, trying again while the server answers
// "too many rooms", for 3 s: a room its last member has just left is let go
// within a few milliseconds, a second on a machine loaded to its limits.
func joinWhenFree(t *testing.T, ts *testServer, name, room string) (*wsClient, msg) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for tries := 1; ; tries++ {
		c := dialQuery(t, ts, name+" in "+room, "name="+name+"&room="+room)
		e, ok := c.next(readTimeout)
		require.Truef(t, ok, "%s in %s: nothing within %v; want a welcome (look at client.go and room.go: the welcome)", name, room, readTimeout)
		if !e.end() && e.m.Type == "welcome" {
			return c, e.m
		}
		c.close()
		full := !e.end() && e.m.Type == "error" && strings.Contains(e.m.Error, "too many rooms")
		require.Truef(t, full, "%s in %s: got %s; want a welcome (look at client.go and room.go: the welcome)", name, room, e)
		if time.Now().After(deadline) {
			t.Fatalf("%s in %s: refused %q, %d times until the test's deadline, with -max-rooms 3 and only one room holding members or messages; want a welcome: the rooms before it were left empty, without a message, and each must end when its last member leaves (look at %s)", name, room, e.m.Error, tries, emptyRoomFiles)
		}
	}
}
