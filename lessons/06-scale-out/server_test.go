package main

import (
	"context"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrigin: the course's Origin rule, through coder/websocket's Accept.
func TestOrigin(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	ts := startServer(t, "-nats", startNATS(t), "-origin", "*.example.org")

	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"http://" + ts.addr, 101},
		{"http://evil.example", 403},
		{"http://chat.example.org", 101},
		{"null", 403},
	} {
		conn, resp, err := dialWS(ts, "name=o&room=origin", tc.origin)
		got := 0
		if resp != nil {
			got = resp.StatusCode
		}
		if err == nil {
			conn.Close()
		}
		assert.Equalf(t, tc.want, got, "Origin %s: got %d; want %d (look at client.go: Accept with OriginPatterns: s.cfg.origins.acceptPatterns(r), never InsecureSkipVerify)", tc.origin, got, tc.want)
	}
}

// TestKeepalive: the server pings; a member that answers stays, one that
// does not is dropped.
func TestKeepalive(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	ts := startServer(t, "-nats", startNATS(t), "-ping-period", "20ms", "-pong-wait", "300ms")
	const where = "client.go: keepalive pings every s.cfg.pingPeriod and drops a peer whose pong does not come within s.cfg.pongWait"

	pings := make(chan struct{}, 1)
	live := dialQuery(t, ts, "live", "name=live&room=ka", clientOptions{pings: pings})
	live.expect("welcome", "the welcome", welcomeFiles)
	for i := range 5 {
		select {
		case <-pings:
		case <-time.After(readTimeout):
			t.Fatalf("waiting for ping %d of 5 with -ping-period 20ms: none came within %v (look at %s)", i+1, readTimeout, where)
		}
	}
	silent := dialQuery(t, ts, "silent", "name=silent&room=ka", clientOptions{silent: true})
	silent.expect("welcome", "the welcome", welcomeFiles)
	silent.expectClose(readTimeout, "a member that answers no ping (-pong-wait 300ms)", where)
	live.expect("join", "silent joining", chatFiles)

	live.say("still here")
	var m msg
	for m.Type != "message" {
		e, ok := live.next(readTimeout)
		require.Truef(t, ok, "live: waiting for its own message after 5 pings answered: nothing came within %v (look at %s)", readTimeout, where)
		if !e.end() && e.m.Type == "leave" && e.m.Name == "silent" {
			continue // silent's leave may come first: presence is not ordered with messages
		}
		require.Falsef(t, e.end() || e.m.Type != "message", "live: waiting for its own message after 5 pings answered: got %s; want a \"message\" (look at %s)", e, where)
		m = e.m
	}
	require.Equalf(t, "still here", m.Text, "live got %s; want its own message: a member that answers pings stays (look at %s)", short(m.raw), where)
}

// TestShutdown: SIGTERM closes every connection with 1001 and the server
// stops within seconds, leaving no goroutine behind.
func TestShutdown(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	ts := startServer(t, "-nats", startNATS(t))
	const where = "client.go: writePump closes with websocket.StatusGoingAway once s.closing is done; room.go: run returns"

	a, _ := join(t, ts, "ann", "red")
	b, _ := join(t, ts, "bob", "blue")
	a.say("before the end")
	a.expectChat("ann", "before the end", chatFiles)

	start := time.Now()
	ts.cancel() // what SIGTERM does
	for _, c := range []*wsClient{a, b} {
		e := c.expectClose(readTimeout, "after SIGTERM", where)
		require.Equalf(t, websocket.CloseGoingAway, e.code, "%s after SIGTERM: got %s; want close 1001 (look at %s)", c.name, e, where)
	}
	err := ts.shutdownBy(start.Add(2 * time.Second))
	require.NoErrorf(t, err, "2s after SIGTERM, with every member closed; want run returned by then (look at %s)", where)
}

// TestIdleRooms: an instance lets go of a room nobody has been in for
// -room-idle: its consumer and its presence watcher go, so that names tried
// once do not hold NATS's consumers for ever. A room someone is in stays,
// and a room let go comes back, with its history, at the next join.
func TestIdleRooms(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	const idle = 200 * time.Millisecond
	natsURL := startNATS(t)
	ts := startServer(t, "-nats", natsURL, "-room-idle", idle.String())
	const where = "consume.go: stop, which room.go calls when the room's ctx is done (rooms.go, which is given, cancels it once the room has been idle)"

	nc, err := nats.Connect(natsURL)
	require.NoError(t, err, "the test connecting to NATS")
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	// consumers counts the consumers of the chat's stream and of the
	// presence bucket's: a room that runs holds one of each.
	consumers := func() int {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		n := 0
		for _, name := range []string{streamName, "KV_" + presenceBucket} {
			s, err := js.Stream(ctx, name)
			require.NoErrorf(t, err, "the test looking up stream %s", name)
			n += s.CachedInfo().State.Consumers
		}
		return n
	}

	stayer, _ := join(t, ts, "stayer", "kept")
	const rooms = 20
	for i := range rooms {
		c, _ := join(t, ts, "visitor", uniq("passing", i))
		if i == 0 {
			c.say("said in passing0")
			c.expectChat("visitor", "said in passing0", chatFiles)
		}
		c.close()
	}
	// Every room but kept is let go once idle; kept, where stayer is, stays.
	left := time.Now()
	for n := consumers(); n > 2; n = consumers() {
		if time.Since(left) > idle+2*time.Second {
			t.Fatalf("%d rooms were joined and left, and %v later, with -room-idle %v, the stream and the presence bucket still had %d consumers; want 2, those of the room stayer is still in: a room let go must stop its watcher and its consumer, and delete the consumer, which Stop leaves on the server for its InactiveThreshold, five minutes (look at %s)",
				rooms, time.Since(left).Round(time.Millisecond), idle, n, where)
		}
		time.Sleep(20 * time.Millisecond) // poll: NATS deletes the consumers on its own time
	}
	stayer.say("still here")
	stayer.expectChat("stayer", "still here", "rooms.go keeps a room someone is in; room.go: run")

	// A room let go starts again on the next join, history and all.
	again, w := join(t, ts, "returning", "passing0")
	require.Equalf(t, []string{"said in passing0"}, texts(w.History), "returning to passing0 after the instance let it go: got the history %v; want what was said there, which the stream keeps (look at %s)", texts(w.History), historyFiles)
	again.say("back again")
	again.expectChat("returning", "back again", chatFiles)
}
