package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	emptyRoomFiles = "room.go: run returns when its last member leaves a room that holds no messages; rooms.go then forgets it"
	retireFiles    = "room.go: retire, and run's answer to it: a room nobody is in ends when rooms.go asks, one with members stays"
)

// TestEmptyRooms: a room with no members and no messages holds nothing, and
// ends. The server keeps at most -max-rooms rooms: at the limit a new room
// takes the place of the room joined least recently that nobody is in, and
// is refused only while every room has members. Without that, a script
// naming room after room, or saying one message in each, would lock
// everyone out of new rooms until the server restarts.
func TestEmptyRooms(t *testing.T) {
	checkNoLeaks(t)
	const maxRooms = 3
	ts := startChat(t, "-max-rooms", "3")
	requireWelcome(t, ts) // room "first", left empty
	requireChat(t, ts)    // room "echo-check", which keeps its messages: 1 of 3

	// Ten rooms, one after the other, each left as it was found: each ends
	// with its last member, not when a new room needs its place, so only
	// echo-check, which holds messages, runs between them. (Waiting for
	// that before the next join keeps a busy machine from sending the join
	// down the way of a full table, which the test takes further on.)
	for i := range 10 {
		room := "empty-" + string(rune('a'+i))
		c, _ := joinWhenFree(t, ts, "ann", room, "the rooms before it were left empty, without a message, and each must end when its last member leaves", emptyRoomFiles)
		c.close()
		deadline := time.Now().Add(3 * time.Second)
		for n := roomsRunning(); n > 1; n = roomsRunning() {
			if time.Now().After(deadline) {
				t.Fatalf("%d rooms were joined and left without a message, one after the other, and %d rooms still run 3s after the last, %s, was left; want 1, echo-check, which holds messages. A room whose last member leaves and that holds no messages has nothing to keep, and ends (look at %s)", i+1, n, room, emptyRoomFiles)
			}
			time.Sleep(10 * time.Millisecond) // poll: rooms end on their own
		}
	}

	// Rooms that hold messages are kept: two more reach the limit...
	for _, room := range []string{"kept-1", "kept-2"} {
		c, _ := joinWhenFree(t, ts, "ann", room, "the rooms before it were left empty, without a message, and each must end when its last member leaves", emptyRoomFiles)
		c.say("in " + room)
		c.expectChat("ann", "in "+room, chatFiles)
		c.close()
	}
	// ...and a fourth takes the place of echo-check, joined least recently,
	// whose members have left.
	c, _ := joinWhenFree(t, ts, "ann", "kept-3", "at -max-rooms 3 with nobody in any room, a new room takes the place of the one joined least recently", retireFiles)
	c.say("in kept-3")
	c.expectChat("ann", "in kept-3", chatFiles)
	c.close()

	// A room kept at the limit still takes members, its history whole; with
	// a member in each room, no room gives way and a new one is refused.
	var members []*wsClient
	for _, room := range []string{"kept-1", "kept-2", "kept-3"} {
		m, w := join(t, ts, "bob", room)
		require.Lenf(t, w.History, 1, "bob's welcome in %s %s, a room whose last member left: want its one message; a room that holds messages is kept when it is empty, until a new room needs its place (look at %s and %s)", room, w.raw, emptyRoomFiles, retireFiles)
		assert.Equalf(t, "in "+room, w.History[0].Text, "bob's welcome in %s %s; want ann's message (look at room.go: welcome)", room, w.raw)
		members = append(members, m)
	}
	over := dialQuery(t, ts, "ann, in a fourth room with a member in each of 3", "name=ann&room=kept-4")
	reason := over.expectRefused("a new room when each of -max-rooms 3 rooms has a member", retireFiles)
	assert.Containsf(t, reason, "too many rooms", "the refusal of a room past -max-rooms %d: got %q; want rooms.go's errTooManyRooms (look at client.go: the error from s.rooms.join is the reason)", maxRooms, reason)
	for i, m := range members {
		text := fmt.Sprintf("still here %d", i+1)
		m.say(text)
		m.expectChat("bob", text, "a room with a member must not give way to a new one: "+retireFiles)
	}

	// Once a room's last member has left, it gives way, history and all.
	members[0].close()
	c, w := joinWhenFree(t, ts, "ann", "kept-4", "kept-1's last member has left: a new room takes its place", retireFiles)
	assert.Emptyf(t, w.History, "ann's welcome in kept-4 %s, a new room; want no history (look at room.go: welcome)", w.raw)
	c.close()
	m, w := join(t, ts, "carl", "kept-2")
	assert.Lenf(t, w.History, 2, "carl's welcome in kept-2 %s, a room with a member all along; want its two messages (look at %s)", w.raw, retireFiles)
	m.close()
}

// joinWhenFree joins name to room, trying again while the server answers
// "too many rooms", for 3 s: a room its last member has just left is let go
// within a few milliseconds, a second on a machine loaded to its limits.
func joinWhenFree(t *testing.T, ts *testServer, name, room, why, where string) (*wsClient, msg) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for tries := 1; ; tries++ {
		c := dialQuery(t, ts, name+" in "+room, "name="+name+"&room="+room)
		e, ok := c.next(readTimeout)
		require.Truef(t, ok, "%s in %s: nothing within %v; want a welcome: %s (look at %s)", name, room, readTimeout, why, where)
		if !e.end() && e.m.Type == "welcome" {
			return c, e.m
		}
		c.close()
		full := !e.end() && e.m.Type == "error" && strings.Contains(e.m.Error, "too many rooms")
		require.Truef(t, full, "%s in %s: got %s; want a welcome (look at client.go and room.go: the welcome)", name, room, e)
		if time.Now().After(deadline) {
			t.Fatalf("%s in %s: refused %q, %d times until the test's deadline, with -max-rooms 3; want a welcome: %s (look at %s)", name, room, e.m.Error, tries, why, where)
		}
	}
}

// roomsRunning counts the rooms whose run has not returned.
func roomsRunning() int {
	n := 0
	for _, g := range goroutines() {
		if strings.Contains(g.stack, ".(*room).run(") {
			n++
		}
	}
	return n
}
