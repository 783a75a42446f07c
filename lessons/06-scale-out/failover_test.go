package main

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInstanceStops: an instance stops mid-conversation; its member
// reconnects to another instance with since and epoch, and gets exactly what
// it missed, nothing twice, while the room went on without it.
func TestInstanceStops(t *testing.T) {
	checkNoLeaks(t)
	_, in := startInstances(t, 2)
	requireWelcome(t, in[0])
	requireChat(t, in[0])
	const where = "room.go: the welcome's history after since comes from the stream, the same on every instance"

	ann, _ := join(t, in[1], "ann", "fo")
	bob, _ := join(t, in[0], "bob", "fo")
	ann.expect("join", "bob joining", presenceFiles)
	bob.say("before")
	last := ann.expectChat("bob", "before", chatFiles)
	bob.expectChat("bob", "before", chatFiles)
	_, w := join(t, in[0], "watcher", "fo")
	ann.expect("join", "watcher joining", presenceFiles)
	bob.expect("join", "watcher joining", presenceFiles)

	// Instance 2, ann's, stops: ann is told 1001 and bob that she left.
	in[1].cancel()
	e := ann.expectClose(readTimeout, "her instance shutting down", "client.go: writePump closes with 1001")
	require.Equalf(t, websocket.CloseGoingAway, e.code, "ann when her instance stopped: got %s; want close 1001", e)
	require.NoError(t, in[1].shutdownBy(time.Now().Add(3*time.Second)), "instance 2 did not stop within 3s: does room.run return when its context is done, and stop its consumer and watcher?")
	expectLeave(t, bob, "ann", "ann leaving, her instance stopped", "presence.go: release deletes the key as the connection ends")

	bob.say("while ann was away 1")
	bob.expectChat("bob", "while ann was away 1", chatFiles)
	bob.say("while ann was away 2")
	bob.expectChat("bob", "while ann was away 2", chatFiles)

	// ann comes back on instance 1 with what she last saw.
	ann2, w2 := join(t, in[0], "ann", "fo", "since", strconv.FormatInt(last.ID, 10), "epoch", w.Epoch)
	require.Equalf(t, []string{"while ann was away 1", "while ann was away 2"}, texts(w2.History), "ann resuming on instance 1 with since=%d: got the history %v; want exactly what she missed, nothing twice (look at %s)", last.ID, texts(w2.History), where)
	j := bob.expect("join", "ann joining again, on instance 1", presenceFiles)
	require.Equalf(t, "ann", j.Name, "bob got %s; want ann joining", j.raw)
	ann2.say("back")
	bob.expectChat("ann", "back", chatFiles)
	m := ann2.expectChat("ann", "back", chatFiles)
	assert.Greaterf(t, m.ID, w2.History[len(w2.History)-1].ID, "ann's message after coming back has id %d; want it after the ids she caught up on (look at room.go: decode)", m.ID)
}

// TestNATSRestarts: the NATS server stops and starts again, on the same port
// with the same store. The instances reconnect by themselves; a message sent
// meanwhile goes through, the history is still there, and presence goes on.
func TestNATSRestarts(t *testing.T) {
	checkNoLeaks(t)
	dir := t.TempDir()
	ns := natsServer(t, dir, natsserver.RANDOM_PORT)
	port := ns.Addr().(*net.TCPAddr).Port
	a := startServer(t, "-nats", ns.ClientURL())
	b := startServer(t, "-nats", ns.ClientURL())
	requireWelcome(t, a)
	requireChat(t, a)

	ann, _ := join(t, a, "ann", "nr")
	bob, _ := join(t, b, "bob", "nr")
	ann.expect("join", "bob joining", presenceFiles)
	ann.say("before")
	bob.expectChat("ann", "before", chatFiles)
	ann.expectChat("ann", "before", chatFiles)

	ns.Shutdown()
	ns.WaitForShutdown()
	natsServer(t, dir, port)
	// The instances stop before this NATS server does, the test failed or
	// not: cleanups run last first, and it started after them.
	t.Cleanup(func() {
		for _, s := range []*testServer{a, b} {
			assert.NoError(t, s.shutdown())
		}
	})
	// Sent while the instances reconnect: nats.go holds it until then.
	ann.say("after the restart")
	const where = "room.go: the consumer recovers by itself; is run still following the subject?"
	bob.expectChat("ann", "after the restart", where)
	ann.expectChat("ann", "after the restart", where)

	cy := dialQuery(t, b, "cy in nr", "name=cy&room=nr")
	w := cy.expect("welcome", "cy's welcome after NATS restarted", "room.go: after NATS is back (r.b.reconnected()), start a new presence watcher: the old one can take many seconds to notice, and a joiner waits for the room to see its claim")
	assert.Equalf(t, []string{"before", "after the restart"}, texts(w.History), "cy's welcome after NATS restarted %s: want the history from the stream, kept on disk (look at %s)", short(w.raw), historyFiles)
	assert.ElementsMatchf(t, []string{"ann", "bob", "cy"}, w.Members, "cy's welcome after NATS restarted %s: want ann, bob and cy (look at room.go: after NATS is back, r.b.reconnected(), start a new presence watcher)", short(w.raw))
	for _, c := range []*wsClient{ann, bob} {
		j := c.expect("join", "cy joining after NATS restarted", "room.go: after NATS is back (r.b.reconnected()), start a new presence watcher: the old one can take many seconds to notice")
		require.Equalf(t, "cy", j.Name, "%s got %s; want cy joining", c.name, j.raw)
	}
	cy.say("hello after the restart")
	ann.expectChat("cy", "hello after the restart", chatFiles)
}
