package main

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
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

// TestInstanceStops: an instance stops mid-conversation; its member
// reconnects to another instance with since and epoch, and gets exactly what
// it missed, nothing twice, while the room went on without it.
func TestInstanceStops(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	_, in := startInstances(t, 2)
	const where = "consume.go, history.go and welcome.go: the welcome's history after since comes from the stream, the same on every instance"

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
	assert.Greaterf(t, m.ID, w2.History[len(w2.History)-1].ID, "ann's message after coming back has id %d; want it after the ids she caught up on (look at consume.go: decode)", m.ID)
}

// TestNATSRestarts: the NATS server stops and starts again, on the same port
// with the same store. The instances reconnect by themselves; a message sent
// meanwhile goes through, the history is still there, and presence goes on.
func TestNATSRestarts(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	dir := t.TempDir()
	ns := natsServer(t, dir, natsserver.RANDOM_PORT)
	port := ns.Addr().(*net.TCPAddr).Port
	a := startServer(t, "-nats", ns.ClientURL())
	b := startServer(t, "-nats", ns.ClientURL())

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
	const where = "consume.go: the ordered consumer recovers by itself, does consume still hand over what it fetches? and reconnect.go: watchAgain starts a new presence watcher when NATS is back (a room that stops closes its members with 1013, and the server log says why)"
	// A reconnection, and the consumer made again once JetStream has read
	// its store: seconds on a busy machine.
	const restarted = 5 * time.Second
	bob.expectChatWithin(restarted, "ann", "after the restart", where)
	ann.expectChatWithin(restarted, "ann", "after the restart", where)

	cy := dialQuery(t, b, "cy in nr", "name=cy&room=nr")
	w := cy.expectWithin(restarted, "welcome", "cy's welcome after NATS restarted", "reconnect.go: watchAgain starts a new presence watcher when NATS is back (room.go calls it on r.b.reconnected()): the old one can take many seconds to notice, and a joiner waits for the room to see its claim")
	assert.Equalf(t, []string{"before", "after the restart"}, texts(w.History), "cy's welcome after NATS restarted %s: want the history from the stream, kept on disk (look at %s)", short(w.raw), historyFiles)
	assert.ElementsMatchf(t, []string{"ann", "bob", "cy"}, w.Members, "cy's welcome after NATS restarted %s: want ann, bob and cy (look at reconnect.go: watchAgain, which room.go calls when NATS is back, starts a new presence watcher)", short(w.raw))
	for _, c := range []*wsClient{ann, bob} {
		j := c.expect("join", "cy joining after NATS restarted", "reconnect.go: watchAgain starts a new presence watcher when NATS is back (room.go calls it on r.b.reconnected()): the old one can take many seconds to notice")
		require.Equalf(t, "cy", j.Name, "%s got %s; want cy joining", c.name, j.raw)
	}
	cy.say("hello after the restart")
	ann.expectChat("cy", "hello after the restart", chatFiles)
}

// TestNoResponders: JetStream does not answer a publish for a moment, as
// after NATS restarts while it reads its store ("no responders"): post tries
// again within its timeout, and the message goes through, once.
func TestNoResponders(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	natsURL, in := startInstances(t, 1)

	ann, _ := join(t, in[0], "ann", "retry")
	ann.say("before")
	ann.expectChat("ann", "before", chatFiles)

	// The test's own connection takes the room's subject from the stream
	// and answers the first tries to publish to it as NATS answers when
	// nothing listens, then gives the subject back for the next try.
	const silent = 3 // tries not answered: all that nats.go makes by itself
	nc, err := nats.Connect(natsURL)
	require.NoError(t, err, "the test connecting to NATS")
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*readTimeout)
	defer cancel()
	stream, err := js.Stream(ctx, streamName)
	require.NoError(t, err, "the test looking up the stream")
	cfg := stream.CachedInfo().Config
	paused := cfg
	paused.Subjects = []string{"chat.paused.*"}
	_, err = js.UpdateStream(ctx, paused)
	require.NoError(t, err, "the test taking the subjects from the stream")
	answered := make(chan error, 1)
	var tries atomic.Int32
	var idsMu sync.Mutex
	var ids []string // the message id of each try
	_, err = nc.Subscribe(roomSubject("retry"), func(m *nats.Msg) {
		n := tries.Add(1)
		idsMu.Lock()
		ids = append(ids, m.Header.Get(jetstream.MsgIDHeader))
		idsMu.Unlock()
		var err error
		if n == silent {
			err = errors.Join(m.Sub.Unsubscribe(), nc.Flush())
			if _, uerr := js.UpdateStream(ctx, cfg); uerr != nil {
				err = errors.Join(err, uerr)
			}
		}
		err = errors.Join(err, m.RespondMsg(&nats.Msg{Header: nats.Header{"Status": {"503"}}}))
		if n == silent || err != nil {
			select {
			case answered <- err:
			default:
			}
		}
	})
	require.NoError(t, err)
	require.NoError(t, nc.Flush())

	ann.say("after no responders")
	select {
	case err := <-answered:
		require.NoError(t, err, "the test answering no responders, or giving the subject back to the stream")
	case e := <-ann.events:
		t.Fatalf("ann said \"after no responders\" and JetStream did not answer it %d times in a row: after %d tries got %s; want her message, once a try is answered (look at post.go: post; JetStream answers no responders for a moment after NATS restarts: try again every retryWait until postTimeout, jetstream.WithRetryWait and WithRetryAttempts)", silent, tries.Load(), e)
	case <-time.After(2 * readTimeout):
		t.Fatalf("ann said \"after no responders\": %d of %d tries came within %v (look at post.go: post publishes to the room's subject and tries again every retryWait)", tries.Load(), silent, 2*readTimeout)
	}
	const where = "post.go: post; JetStream answered the first tries with no responders, as it does for a moment after NATS restarts: try again every retryWait until postTimeout (jetstream.WithRetryWait, WithRetryAttempts)"
	m := ann.expectChat("ann", "after no responders", where)
	ann.say("after that")
	next := ann.expectChat("ann", "after that", where+"; the message must come once")
	assert.Greaterf(t, next.ID, m.ID, "ann's message after the retried one has id %d, the retried one %d; want ids that grow (look at consume.go: decode)", next.ID, m.ID)

	// Every try of one post carries one message id, which JetStream keeps
	// for a while and refuses a second time: a try whose answer was lost
	// on the way back, tried again, is not a second message. The next post
	// has an id of its own.
	const dedup = "post.go: post; publish with a message id of the post's own (jetstream.WithMsgID), the same for every try of it, so that JetStream drops a try it has already stored"
	idsMu.Lock()
	tried := append([]string{}, ids...)
	idsMu.Unlock()
	require.NotEmptyf(t, tried[0], "ann's post was tried %d times with no %s header; want a message id on every publish (look at %s)", len(tried), jetstream.MsgIDHeader, dedup)
	for i, id := range tried {
		require.Equalf(t, tried[0], id, "ann's post was tried %d times; try %d had message id %q, the first %q; want one id for every try of one post (look at %s)", len(tried), i+1, id, tried[0], dedup)
	}
	lctx, lcancel := context.WithTimeout(context.Background(), readTimeout)
	defer lcancel()
	last, err := stream.GetLastMsgForSubject(lctx, roomSubject("retry"))
	require.NoError(t, err, "the test reading the room's last message from the stream")
	assert.NotEqualf(t, tried[0], last.Header.Get(jetstream.MsgIDHeader), "ann's next post had message id %q, the same as the one before; want a new id for every post, or JetStream drops the next message as a double of the last (look at %s)", tried[0], dedup)
}

// TestInstanceDies: an instance loses NATS for good, as one that crashed
// does, and releases nothing. After -presence-ttl its member leaves on the
// other instance and its name comes free, while the member of the instance
// that lives stays, its claim refreshed every third of the TTL.
func TestInstanceDies(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	const ttl = 300 * time.Millisecond
	natsURL := startNATS(t)
	a := startServer(t, "-nats", natsURL, "-presence-ttl", ttl.String())
	link := startRelay(t, natsURL)
	b := startServer(t, "-nats", link.url, "-presence-ttl", ttl.String())
	const (
		refresh = "presence.go: refresh rewrites every key this instance holds, every period (a third of -presence-ttl), and keeps the revision each write returns for the next"
		expired = "members.go: apply; a key that expires reaches the watchers as a marker, KeyValuePurge, not KeyValueDelete, and is a leave all the same"
	)

	ann, _ := join(t, a, "ann", "ttl")
	bob, _ := join(t, b, "bob", "ttl")
	ann.expectJoin("bob", "bob joining on the other instance", presenceFiles)

	// bob's instance loses NATS: his claim is neither refreshed nor
	// released, and expires within a TTL. ann's must not: over three TTLs
	// she hears bob leave, once, and nothing else.
	link.cut()
	window := 3 * ttl
	timer := time.NewTimer(window)
	defer timer.Stop()
	heard := false
	for done := false; !done; {
		select {
		case e := <-ann.events:
			switch {
			case e.end():
				t.Fatalf("ann: waiting for bob to leave: got %s; want her connection open, her instance is alive (look at %s)", e, refresh)
			case e.m.Type == "leave" && e.m.Name == "ann":
				t.Fatalf("ann: got %s, though she is connected to an instance that is alive (-presence-ttl %v): her claim expired; want a claim refreshed before the TTL ends it (look at %s)", e, ttl, refresh)
			case e.m.Type == "leave" && e.m.Name == "bob" && !heard:
				heard = true
			default:
				t.Fatalf("ann: waiting for bob to leave: got %s; want only bob's leave (look at %s)", e, expired)
			}
		case <-timer.C:
			done = true
		}
	}
	require.Truef(t, heard, "ann: %v after bob's instance lost NATS (-presence-ttl %v), bob has not left; want his leave once his claim expired: no instance deletes it, the bucket's TTL ends it (look at %s)", window, ttl, expired)

	// A joiner on bob's instance, which NATS no longer hears: its claim
	// cannot be made, and it is told so at once, with 1013 (try again
	// later), on which the page reconnects.
	const unavailable = "presence.go: claim returns an error when Create fails for any reason, not only a taken name; and room.go: join refuses when it cannot ask the stream"
	const limit = 3 * time.Second // a claim's own timeout (the reference's is 2s), and a second
	start := time.Now()
	cy := dialQuery(t, b, "cy on the instance without NATS", "name=cy&room=ttl")
	first, ok := cy.next(limit)
	require.Truef(t, ok, "cy, joining on an instance NATS no longer hears: nothing within %v; want an error message and close 1013 within %[1]v: a claim that failed is not a claim, and the join ends there (look at %s)", limit, unavailable)
	require.Truef(t, !first.end() && first.m.Type == "error", "cy, joining on an instance NATS no longer hears: got %s after %v; want an error message, then close 1013 (look at %s)", first, time.Since(start).Round(time.Millisecond), unavailable)
	e := cy.expectClose(readTimeout, "a join while NATS is away, after "+short(first.m.raw), unavailable)
	require.Equalf(t, websocket.CloseTryAgainLater, e.code, "cy, joining on an instance NATS no longer hears: got %s after %s; want close 1013 (try again later) (look at %s)", e, short(first.m.raw), unavailable)

	// ann keeps her name; bob's is free.
	other := dialQuery(t, a, "a second ann", "name=ann&room=ttl")
	other.expectRefused("the name ann is taken in room ttl, held for "+window.String()+" by a member who stayed", refresh)
	bob2, w := join(t, a, "bob", "ttl")
	assert.ElementsMatchf(t, []string{"ann", "bob"}, w.Members, "bob's welcome after his claim expired %s: want ann and bob (look at %s)", w.raw, expired)
	ann.expectJoin("bob", "bob joining again", presenceFiles)
	bob.close()
	bob2.close()
}

// relay carries an instance's connection to the NATS server, so that the
// test can cut it as a crash or a lost network would: the instance stays
// up but NATS hears nothing more from it, not even a goodbye.
type relay struct {
	url    string
	target string // the NATS server's host:port

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
	isCut bool // no connection gets through any more
	wg    sync.WaitGroup
}

// startRelay relays to the NATS server at natsURL until cut, or the end of
// the test.
func startRelay(tb testing.TB, natsURL string) *relay {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err, "the test's relay to NATS")
	r := &relay{url: "nats://" + ln.Addr().String(), target: strings.TrimPrefix(natsURL, "nats://")}
	r.serve(ln)
	tb.Cleanup(r.cut)
	return r
}

// restore lets connections through again, on the same address, as a
// network that comes back does: the instance reconnects by itself.
func (r *relay) restore(tb testing.TB) {
	tb.Helper()
	ln, err := net.Listen("tcp", strings.TrimPrefix(r.url, "nats://"))
	require.NoError(tb, err, "the test's relay to NATS, listening again")
	r.mu.Lock()
	r.isCut = false
	r.mu.Unlock()
	r.serve(ln)
}

// serve relays every connection ln accepts, until cut.
func (r *relay) serve(ln net.Listener) {
	r.mu.Lock()
	r.ln = ln
	r.mu.Unlock()
	r.wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return // cut
			}
			out, err := net.DialTimeout("tcp", r.target, readTimeout)
			if err != nil || !r.track(in, out) {
				in.Close()
				if out != nil {
					out.Close()
				}
				continue
			}
			for _, p := range [][2]net.Conn{{in, out}, {out, in}} {
				r.wg.Go(func() {
					io.Copy(p[0], p[1])
					p[0].Close() // and the other way ends too
				})
			}
		}
	})
}

// track keeps in and out for cut, unless the relay is cut already.
func (r *relay) track(in, out net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.isCut {
		return false
	}
	r.conns = append(r.conns, in, out)
	return true
}

// cut ends every relayed connection and refuses new ones.
func (r *relay) cut() {
	r.mu.Lock()
	r.isCut = true
	r.ln.Close()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
	r.mu.Unlock()
	r.wg.Wait()
}
