package main

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const presenceFiles = "presence.go: claim and release, and members.go: apply turns what the presence watcher shows into joins and leaves"

// noLeave names the test in which a member left and the others did not hear
// of it: the tests after it that wait for a leave fail at once.
var noLeave atomic.Pointer[string]

// expectLeave reads the next message of c and fails the test unless it is
// who leaving. Once one test has waited for a leave in vain, the others do
// not wait for theirs.
func expectLeave(t *testing.T, c *wsClient, who, what, where string) {
	t.Helper()
	if first := noLeave.Load(); first != nil {
		t.Fatalf("%s: not waiting for %s: in %s a member left and the others never heard, so it would not come here either; fix that first (look at %s)", c.name, what, *first, where)
	}
	heard := false
	defer func() {
		if !heard {
			name := t.Name()
			noLeave.CompareAndSwap(nil, &name)
		}
	}()
	l := c.expect("leave", what, where)
	require.Equalf(t, who, l.Name, "%s got %s; want %s leaving (look at %s)", c.name, l.raw, who, where)
	heard = true
}

// TestPresence: members, joins and leaves are the same seen from every
// instance, and a name is held once in a room across all of them.
func TestPresence(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	_, in := startInstances(t, 2)

	ann, _ := join(t, in[0], "ann", "pr")
	bob, w := join(t, in[1], "bob", "pr")
	assert.ElementsMatchf(t, []string{"ann", "bob"}, w.Members, "bob's welcome on instance 2 %s: ann is in the room on instance 1; want members ann and bob (look at %s)", w.raw, presenceFiles)
	j := ann.expect("join", "bob joining on the other instance", presenceFiles)
	assert.Equalf(t, []string{"name", "room", "type"}, jsonKeys(t, j.raw), "ann got %s; want exactly these fields (look at protocol.go: presence)", j.raw)
	assert.Equalf(t, "bob", j.Name, "ann got %s; want \"name\":\"bob\" (look at %s)", j.raw, presenceFiles)

	// bob hears nothing of its own join: the next thing is ann's message.
	ann.say("hi bob")
	bob.expectChat("ann", "hi bob", "members.go: apply; a joiner's own claim goes to the others, not to the joiner")
	ann.expectChat("ann", "hi bob", chatFiles)

	// A name is held once in a room, whichever instance holds it.
	other := dialQuery(t, in[0], "a second bob, on instance 1", "name=bob&room=pr")
	reason := other.expectRefused("the name bob is taken in room pr on instance 2", "presence.go: claim creates the key, which fails when it exists; a key whose instance answers is held (take it over only on nats.ErrNoResponders, and answer for your own keys)")
	assert.Containsf(t, reason, "taken", "reason %q; want it to say the name is taken (look at presence.go: claim)", reason)

	cy, w := join(t, in[1], "cy", "pr")
	assert.ElementsMatchf(t, []string{"ann", "bob", "cy"}, w.Members, "cy's welcome %s: want ann, bob and cy (look at %s)", w.raw, presenceFiles)
	ann.expect("join", "cy joining on the other instance", presenceFiles)
	bob.expect("join", "cy joining on the same instance", presenceFiles)

	bob.close() // gone without a close frame, as a lost network goes
	for _, c := range []*wsClient{ann, cy} {
		expectLeave(t, c, "bob", "bob leaving (its connection ended)", "presence.go: release deletes the key; members.go: apply tells every member of a key deleted")
	}

	// The name is free again, on any instance.
	_, w = join(t, in[0], "bob", "pr")
	assert.ElementsMatchf(t, []string{"ann", "bob", "cy"}, w.Members, "bob's welcome back on instance 1 %s: want ann, bob and cy (look at presence.go: release frees the name)", w.raw)
	for _, c := range []*wsClient{ann, cy} {
		j := c.expect("join", "bob joining again", presenceFiles)
		require.Equalf(t, "bob", j.Name, "%s got %s; want bob joining (look at %s)", c.name, j.raw, presenceFiles)
	}
}
