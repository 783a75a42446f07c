package main

import (
	"context"
	"errors"
	"maps"
	"net"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShortOutage: an instance cannot reach NATS for a moment, shorter
// than -presence-ttl, while members of another instance come and go. When
// it is back, its members hear who left and who came meanwhile, once each,
// and nothing of those who were there all along.
func TestShortOutage(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	natsURL := startNATS(t)
	link := startRelay(t, natsURL)
	a := startServer(t, "-nats", link.url)
	b := startServer(t, "-nats", natsURL)
	const resync = "reconnect.go: resync; when NATS is back, the new presence watcher shows the keys as they are now: room.go compares them, once it has shown them all (nil), with the names the room knew, and resync tells the local members who left and who came"

	ann, _ := join(t, a, "ann", "blip")
	bob, _ := join(t, b, "bob", "blip")
	ann.expectJoin("bob", "bob joining on the other instance", presenceFiles)
	cy, _ := join(t, b, "cy", "blip")
	ann.expectJoin("cy", "cy joining on the other instance", presenceFiles)
	bob.expectJoin("cy", "cy joining", presenceFiles)

	// The test counts the presence watchers the instances start, each a
	// consumer of the bucket's stream: one per room and instance.
	watchers := watchPresenceConsumers(t, natsURL)
	watchers.expect(t, 2, "before the outage: one presence watcher for room blip on each instance")

	// Instance a cannot reach NATS; meanwhile bob leaves and dan joins on
	// instance b, which hears both.
	link.cut()
	bob.close()
	expectLeave(t, cy, "bob", "bob leaving while instance a is cut off from NATS", presenceFiles)
	dan, _ := join(t, b, "dan", "blip")
	cy.expectJoin("dan", "dan joining while instance a is cut off from NATS", presenceFiles)

	// NATS hears instance a again: ann hears bob leave and dan join, in
	// either order, and nothing else; then dan's message. Its old watcher
	// could bring both when NATS delivers to it again; paused, only the
	// room's new watcher can.
	watchers.pauseCutOff(t)
	created := watchers.created.Load()
	link.restore(t)
	const limit = 3 * time.Second // a reconnection (every 250ms) and a new watcher, and more
	deadline := time.Now().Add(limit)
	want := map[string]bool{"leave bob": true, "join dan": true}
	for len(want) > 0 {
		e, ok := ann.next(time.Until(deadline))
		require.Truef(t, ok, "ann: her instance back on NATS after a moment away, in which bob left and dan joined on the other instance: still waiting for %v after %v (look at %s)", slices.Sorted(maps.Keys(want)), limit, resync)
		require.Falsef(t, e.end(), "ann: waiting for who came and went while her instance was cut off from NATS: got %s; want her connection open, the outage was shorter than -presence-ttl (look at %s)", e, resync)
		got := e.m.Type + " " + e.m.Name
		require.Truef(t, want[got], "ann: her instance back on NATS after a moment away, in which bob left and dan joined: got %s; want bob's leave and dan's join, once each, and nothing of ann and cy, who were there all along (look at %s)", short(e.m.raw), resync)
		delete(want, got)
	}
	dan.say("hello")
	e, ok := ann.next(readTimeout)
	require.Truef(t, ok, "ann: after bob's leave and dan's join, waiting for dan's message: nothing within %v", readTimeout)
	require.Truef(t, !e.end() && e.m.Type == "message" && e.m.From == "dan", "ann: after bob's leave and dan's join, waiting for dan's message: got %s; want dan's message: anything before it is one join or leave too many (look at %s)", e, resync)

	// The new watcher goes on: a later join and leave reach ann too, and
	// the room starts no other watcher meanwhile.
	gus, _ := join(t, b, "gus", "blip")
	const lifetime = "watch.go: the context given to KeyValue.Watch is the watcher's lifetime, not only the question's: a watcher started with a context that ends when the function that starts it returns ends at once, its Updates channel closes, and the room starts another, and another"
	ann.expectJoin("gus", "gus joining after the outage", lifetime)
	gus.close()
	expectLeave(t, ann, "gus", "gus leaving after the outage", lifetime)
	assert.LessOrEqualf(t, watchers.created.Load()-created, int64(2), "presence watchers started after instance a was back on NATS: %d; want one for its room (two at most): the room starts a watcher that does not last (look at %s)", watchers.created.Load()-created, lifetime)
	watchers.expect(t, 2, "after the outage: the watcher instance a replaced must be stopped (look at reconnect.go: watchAgain stops the old watcher once the new one has started)")
}

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
	eve, _ := join(t, b, "eve", "away")
	for _, c := range []*wsClient{ann, dee, bob} {
		c.expectJoin("eve", "eve joining on instance b", presenceFiles)
	}

	// Instance a cannot reach NATS: its claims expire, and bob hears ann
	// and dee leave. eve leaves meanwhile, which instance a cannot hear.
	link.cut()
	eve.close()
	var left []string
	for range 3 {
		l := bob.expect("leave", "ann and dee leaving, their instance cut off from NATS for longer than -presence-ttl "+ttl.String()+", and eve", "members.go: apply, and reconnect.go: resync")
		left = append(left, l.Name)
	}
	slices.Sort(left)
	require.Equalf(t, []string{"ann", "dee", "eve"}, left, "bob: the members who left while instance a was cut off from NATS; want ann and dee, whose instance it is, and eve, who left (look at members.go: apply, and reconnect.go: resync)")
	// eve's key leaves no trace once its delete has aged out and the
	// marker that followed it has too: a new watcher on instance a will
	// not show her at all.
	waitNoTrace(t, natsURL, presenceKey("away", "eve"))

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

	// eve left while instance a could not hear it, and left no trace in
	// the bucket: only the room's view of its members before and after
	// the outage tells instance a that she is gone.
	_, w = join(t, a, "fay", "away")
	assert.ElementsMatchf(t, []string{"ann", "bob", "dee", "fay"}, w.Members, "fay's welcome on instance a, after it was cut off from NATS while eve left: members %v; want ann, bob, dee and fay: a name the new presence watcher does not show at all has left (look at reconnect.go: resync; room.go compares what the new watcher shows, up to its nil, with the names the room knew, after NATS is back)", w.Members)
	ann2.close()
}

// presenceConsumers counts the consumers of the presence bucket's stream:
// those the server holds now, and how many the instances asked for.
type presenceConsumers struct {
	stream  jetstream.Stream
	created atomic.Int64
}

// watchPresenceConsumers starts counting, on the test's own connection.
func watchPresenceConsumers(t *testing.T, natsURL string) *presenceConsumers {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	require.NoError(t, err, "the test's own connection to NATS")
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	pc := &presenceConsumers{}
	pc.stream, err = js.Stream(ctx, "KV_"+presenceBucket)
	require.NoError(t, err, "the test looking up the presence bucket's stream")
	// A watcher asks for its consumer on one of these subjects.
	for _, subject := range []string{"$JS.API.CONSUMER.CREATE.KV_" + presenceBucket, "$JS.API.CONSUMER.CREATE.KV_" + presenceBucket + ".>"} {
		_, err := nc.Subscribe(subject, func(*nats.Msg) { pc.created.Add(1) })
		require.NoError(t, err, "the test listening for new consumers")
	}
	require.NoError(t, nc.Flush(), "the test listening for new consumers")
	return pc
}

// expect waits until the server holds want consumers of the presence
// bucket, and fails the test if it does not within readTimeout.
func (pc *presenceConsumers) expect(t *testing.T, want int, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	got := "no answer"
	for {
		info, err := pc.stream.Info(ctx)
		if err == nil {
			if info.State.Consumers == want {
				return
			}
			got = strconv.Itoa(info.State.Consumers)
		}
		if ctx.Err() != nil {
			t.Fatalf("presence watchers on the server, %s: %s after %v; want %d", what, got, readTimeout, want)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
		}
	}
}

// pauseCutOff pauses, on the server, the presence watcher of an instance
// NATS no longer hears: the one consumer no subscription is bound to. When
// the instance is back, its old watcher has nothing more to say, and only
// the watcher the room starts then can tell its members what changed; the
// old one stays a consumer on the server until the room stops it.
func (pc *presenceConsumers) pauseCutOff(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	for {
		var unbound []string
		for info := range pc.stream.ListConsumers(ctx).Info() {
			if !info.PushBound {
				unbound = append(unbound, info.Name)
			}
		}
		if len(unbound) == 1 {
			_, err := pc.stream.PauseConsumer(ctx, unbound[0], time.Now().Add(time.Minute))
			require.NoError(t, err, "the test pausing the cut-off instance's presence watcher")
			return
		}
		select {
		case <-time.After(20 * time.Millisecond): // the server's view, polled
		case <-ctx.Done():
			t.Fatalf("the test: %d presence watchers without a subscriber %v after the cut; want the cut-off instance's one", len(unbound), readTimeout)
		}
	}
}

// waitNoTrace waits until key of the presence bucket has nothing left in
// its stream, neither a value nor a delete nor the marker of an expiry.
func waitNoTrace(t *testing.T, natsURL, key string) {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	require.NoError(t, err, "the test's own connection to NATS")
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stream, err := js.Stream(ctx, "KV_"+presenceBucket)
	require.NoError(t, err, "the test looking up the presence bucket's stream")
	for {
		_, err := stream.GetLastMsgForSubject(ctx, "$KV."+presenceBucket+"."+key)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return
		}
		require.NoErrorf(t, ctx.Err(), "the test waiting for key %s to leave no trace in the presence bucket", key)
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
		}
	}
}

// TestTakeover: an instance dies (a crash, kill -9: NATS drops its
// connection) and its member's page comes back at once on another
// instance, under the same name. The dead instance's key is still there,
// for up to -presence-ttl, but nobody holds it: the new instance asks the
// instance named in the key, NATS answers that no one listens, and the
// member is let in at once, in the same place: the room sees no leave and
// no join. Two pages asking at the same moment get the name once. When the
// old instance is heard again, its member under that name is closed with
// 1008, as after TestLongOutage's outage.
func TestTakeover(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	const ttl = 6 * time.Second // refreshed every 2s; expiry cannot explain a name free within 3s
	ns := natsServer(t, t.TempDir(), natsserver.RANDOM_PORT)
	a := startServer(t, "-nats", ns.ClientURL(), "-presence-ttl", ttl.String())
	link := startRelay(t, ns.ClientURL())
	b := startServer(t, "-nats", link.url, "-presence-ttl", ttl.String())
	const takeover = "presence.go: claim; when Create says the key exists, Get it and ask the instance whose id its value holds (a request to holderPrefix + id, which every instance answers for as long as it lives): nats.ErrNoResponders means none holds it, and Update with the revision read takes it over; any answer, or none in time, is a live holder's name: errTaken"

	ann, _ := join(t, a, "ann", "phoenix")
	bob, _ := join(t, b, "bob", "phoenix")
	ann.expectJoin("bob", "bob joining on the other instance", presenceFiles)

	// Instance b is gone for NATS, as a killed one is, once NATS has seen
	// its connection close.
	clients := ns.NumClients()
	link.cut()
	gone := time.Now().Add(readTimeout)
	for ns.NumClients() >= clients {
		require.Truef(t, time.Now().Before(gone), "the test: NATS still counts instance b's connection %v after the test cut it", readTimeout)
		<-time.After(10 * time.Millisecond) // the server's count, polled: it tells no one
	}

	// bob's page comes back on instance a at once, and so does a second
	// page under his name: one gets the name, the other is refused.
	const limit = 3 * time.Second // half the TTL
	start := time.Now()
	pages := []*wsClient{
		dialQuery(t, a, "bob back on instance a", "name=bob&room=phoenix"),
		dialQuery(t, a, "a second bob at the same moment", "name=bob&room=phoenix"),
	}
	var bob2 *wsClient
	for _, c := range pages {
		e, ok := c.next(limit)
		require.Truef(t, ok, "%s, his instance dead for NATS, his key still there: nothing within %v; want a welcome at once, the name's holder is gone (look at %s)", c.name, limit, takeover)
		require.Falsef(t, e.end(), "%s, his instance dead for NATS: got %s after %v; want a welcome, or for one of the two pages an error (look at %s)", c.name, e, time.Since(start).Round(time.Millisecond), takeover)
		switch e.m.Type {
		case "welcome":
			require.Nilf(t, bob2, "%s: a second welcome under the name bob; want the name taken over once: Update with the revision read, so that of two joiners only one succeeds (look at %s)", c.name, takeover)
			bob2 = c
			assert.ElementsMatchf(t, []string{"ann", "bob"}, e.m.Members, "%s: welcome %s; want ann and bob (look at %s)", c.name, short(e.m.raw), takeover)
		case "error":
			require.Containsf(t, e.m.Error, "taken", "%s: the other page under bob's name: got %s; want the name refused as taken (look at %s)", c.name, short(e.m.raw), takeover)
		default:
			t.Fatalf("%s: got %s; want a welcome or an error (look at %s)", c.name, e, takeover)
		}
	}
	require.NotNilf(t, bob2, "bob: both pages under his name refused within %v of his instance's death; want one let in, the name's holder is gone (look at %s)", limit, takeover)

	// ann saw nothing of it: bob never left. His message is the next thing
	// she hears.
	bob2.say("back")
	ann.expectChat("bob", "back", "members.go: apply, and "+takeover+": a takeover rewrites the key, and a key rewritten is no join; a leave and a join mean the key was deleted and created")

	// Instance b is heard again: its bob is told his name is held
	// elsewhere and closed with 1008; the new bob stays.
	link.restore(t)
	const heard = 5 * time.Second // a reconnection and a refresh (every 2s), and more
	deadline := time.Now().Add(heard)
	for {
		e, ok := bob.next(time.Until(deadline))
		require.Truef(t, ok, "bob on instance b, whose name another instance took over while NATS could not hear b: still connected %v after NATS hears b again; want an error message and close 1008 (look at presence.go: refresh)", heard)
		if e.end() {
			require.Equalf(t, websocket.ClosePolicyViolation, e.code, "bob on instance b, his name taken over: got %s; want close 1008 (look at presence.go: refresh, and client.go)", e)
			break
		}
	}
	bob2.say("still here")
	ann.expectChat("bob", "still here", chatFiles)
}

// TestJetStreamGone: NATS comes back without JetStream, as a server
// restarted with another configuration, or one that cannot read its store,
// does. The room can no longer follow its subject or its members, and says
// so: its members are closed with 1013, on which their pages reconnect,
// instead of sitting in a room where nothing ever comes again.
func TestJetStreamGone(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	ns := natsServer(t, t.TempDir(), natsserver.RANDOM_PORT)
	port := ns.Addr().(*net.TCPAddr).Port
	a := startServer(t, "-nats", ns.ClientURL())
	ann, _ := join(t, a, "ann", "gone")
	ann.say("before")
	ann.expectChat("ann", "before", chatFiles)

	ns.Shutdown()
	ns.WaitForShutdown()
	plain, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, NoSigs: true, NoLog: true})
	require.NoError(t, err, "the test starting NATS without JetStream")
	plain.Start()
	require.Truef(t, plain.ReadyForConnections(readTimeout), "the test's NATS without JetStream did not start")
	t.Cleanup(func() {
		plain.Shutdown()
		plain.WaitForShutdown()
	})
	// The instance stops before this NATS server does: cleanups run last first.
	t.Cleanup(func() { assert.NoError(t, a.shutdown()) })

	// A room tries again for setupTimeout (5s) while JetStream does not
	// answer, as it may not for a moment after a restart; then it gives up.
	// A reconnection first, and a busy machine: 3s more.
	const limit = 8 * time.Second
	const where = "deliver.go: dropAll; when run cannot go on (a new presence watcher still failing after setupTimeout), its members must hear it: c.drop(websocket.StatusTryAgainLater, ...) for each local member, not only a line in the log"
	e := ann.expectClose(limit, "after NATS came back without JetStream", where)
	require.Equalf(t, websocket.CloseTryAgainLater, e.code, "ann, after NATS came back without JetStream: got %s; want close 1013 (try again later), on which her page reconnects (look at %s)", e, where)
}

// TestJoinTimeout: a joiner waits until the room has delivered every message
// the stream held for it when it came. A room that cannot catch up within
// joinTimeout (5s) refuses the joiner with 1013, on which its page tries
// again, and its name is free again; once caught up, the room lets it in.
func TestJoinTimeout(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	natsURL, in := startInstances(t, 1)
	ann, _ := join(t, in[0], "ann", "lag")
	ann.say("first")
	ann.expectChat("ann", "first", chatFiles)

	// The room's consumer of the stream, paused on the server: from here on
	// the room lags behind its subject, as a room on a starved instance can.
	resume := pauseChatConsumer(t, natsURL)
	ann.say("while the room lags")
	bob := dialQuery(t, in[0], "bob, joining while the room lags", "name=bob&room=lag")
	const where = "room.go: join, which is given, refuses a joiner the room has not caught up with in time; client.go releases its claim (presence.go: release)"
	bob.expectWithin(joinTimeout+3*time.Second, "error", "the answer to a join the room could not take in time", where)
	e := bob.expectClose(readTimeout, "after the error", where)
	require.Equalf(t, websocket.CloseTryAgainLater, e.code, "bob, refused because the room could not catch up in time: got %s; want close 1013 (try again later), on which his page tries again (look at %s)", e, where)
	ann.expectJoin("bob", "bob's claim, seen while the room lags", presenceFiles)
	expectLeave(t, ann, "bob", "bob's name given back once his join was refused", where)

	resume()
	ann.expectChat("ann", "while the room lags", chatFiles)
	_, w := join(t, in[0], "bob", "lag")
	require.Equalf(t, []string{"first", "while the room lags"}, texts(w.History), "bob's welcome once the room caught up: got the history %v; want both messages (look at %s)", texts(w.History), historyFiles)
	ann.expectJoin("bob", "bob joining again, the room caught up", presenceFiles)
}

// pauseChatConsumer pauses the one consumer of the chat's stream, and
// returns the function that ends the pause. That deletes the consumer: a
// paused one answers no pull until the pull expires, and an ordered
// consumer, told it was deleted, makes a new one from where it was.
func pauseChatConsumer(t *testing.T, natsURL string) (resume func()) {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	require.NoError(t, err, "the test's own connection to NATS")
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	stream, err := js.Stream(ctx, streamName)
	require.NoError(t, err, "the test looking up the chat's stream")
	var names []string
	for info := range stream.ListConsumers(ctx).Info() {
		names = append(names, info.Name)
	}
	require.Lenf(t, names, 1, "the test: consumers of the chat's stream %v; want one, the room's", names)
	_, err = stream.PauseConsumer(ctx, names[0], time.Now().Add(time.Minute))
	require.NoError(t, err, "the test pausing the room's consumer")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		require.NoError(t, stream.DeleteConsumer(ctx, names[0]), "the test ending the pause of the room's consumer")
	}
}
