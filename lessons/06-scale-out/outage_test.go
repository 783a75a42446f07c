package main

import (
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLongOutage: an instance cannot reach NATS for longer than
// -presence-ttl, and then can again, as after a network partition. Its
// members' claims expired meanwhile: the other instances heard them leave,
// and one name was taken by a member on another instance. When NATS hears
// the instance again, it claims its members' names again, so that they are
// back everywhere; the member whose name another took is told and closed
// with 1008, so that a name is never held twice.
func TestLongOutage(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	const ttl = 300 * time.Millisecond
	natsURL := startNATS(t)
	link := startRelay(t, natsURL)
	a := startServer(t, "-nats", link.url, "-presence-ttl", ttl.String())
	b := startServer(t, "-nats", natsURL, "-presence-ttl", ttl.String())
	const (
		reclaim = "presence.go: refresh; an Update refused for its revision (jetstream.ErrKeyRevisionMismatch): when the key is gone (Get: ErrKeyNotFound) it expired while NATS could not hear this instance: Create it again"
		lost    = "presence.go: refresh; when the key holds another claim's value, or Create says it exists, another member took the name: close the claim's lost channel, and forget the key, which is not this instance's any more"
	)

	ann, _ := join(t, a, "ann", "away")
	dee, _ := join(t, a, "dee", "away")
	ann.expectJoin("dee", "dee joining", presenceFiles)
	bob, _ := join(t, b, "bob", "away")
	ann.expectJoin("bob", "bob joining on the other instance", presenceFiles)
	dee.expectJoin("bob", "bob joining on the other instance", presenceFiles)

	// Instance a cannot reach NATS: its claims expire, and bob hears ann
	// and dee leave.
	link.cut()
	var left []string
	for range 2 {
		l := bob.expect("leave", "ann and dee leaving, their instance cut off from NATS for longer than -presence-ttl "+ttl.String(), "room.go: run")
		left = append(left, l.Name)
	}
	slices.Sort(left)
	require.Equalf(t, []string{"ann", "dee"}, left, "bob: the members who left while their instance was cut off from NATS; want ann and dee (look at room.go: run)")

	// Meanwhile a second ann, on instance b, takes the name that is free.
	ann2, w := join(t, b, "ann", "away")
	assert.ElementsMatchf(t, []string{"ann", "bob"}, w.Members, "the second ann's welcome %s; want ann and bob, the members NATS knows of (look at %s)", w.raw, presenceFiles)
	bob.expectJoin("ann", "the second ann joining", presenceFiles)

	// NATS hears instance a again. dee is claimed again: bob hears her
	// back. ann's name is the second ann's now: the first ann is told,
	// and closed with 1008; bob hears nothing of it.
	link.restore(t)
	const limit = 5 * time.Second // a reconnection, a refresh, and more
	e, ok := bob.next(limit)
	require.Truef(t, ok, "bob: dee is still connected to instance a, which NATS hears again; nothing within %v; want her join: her claim expired during the outage, so the instance must claim her name again (look at %s)", limit, reclaim)
	require.Truef(t, !e.end() && e.m.Type == "join" && e.m.Name == "dee", "bob: waiting for dee to be back, NATS hearing her instance again: got %s; want dee joining (look at %s)", e, reclaim)

	deadline := time.Now().Add(limit)
	var told string
	for {
		e, ok = ann.next(time.Until(deadline))
		if !ok {
			t.Fatalf("ann: her name taken by the second ann while her instance was cut off from NATS: %v after NATS heard it again, still connected (told %q); want an error message and close 1008 (look at %s)", limit, told, lost)
		}
		if e.end() {
			require.Equalf(t, websocket.ClosePolicyViolation, e.code, "ann: her name taken while her instance was cut off from NATS: got %s; want close 1008, as for a taken name at the door, so that she chooses another (look at client.go, and %s)", e, lost)
			assert.NotEmptyf(t, told, "ann: closed with %s without an error message first; want the reason as an error message, then the close (look at client.go)", e)
			break
		}
		switch e.m.Type {
		case "join", "leave": // how her room saw the outage
		case "error":
			told = e.m.Error
		default:
			t.Fatalf("ann: her name taken while her instance was cut off from NATS: got %s; want an error message and close 1008 (look at %s)", e, lost)
		}
	}

	// The names are held once: ann is the second ann's, dee is dee's.
	again := dialQuery(t, a, "a third ann", "name=ann&room=away")
	again.expectRefused("the name ann is taken by the second ann", lost)
	ann2.expectJoin("dee", "dee back after her instance reached NATS again", reclaim)
	dee.say("still here")
	bob.expectChat("dee", "still here", chatFiles)
	ann2.expectChat("dee", "still here", chatFiles)
	ann2.close()
}
