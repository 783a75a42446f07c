package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOrigin: the course's Origin rule, through coder/websocket's Accept.
func TestOrigin(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t, "-origin", "*.example.org")
	requireWelcome(t, ts)

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
	checkNoLeaks(t)
	ts := startChat(t, "-ping-period", "20ms", "-pong-wait", "800ms")
	requireWelcome(t, ts)
	requireChat(t, ts)
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
	silent.expectClose(readTimeout, "a member that answers no ping (-pong-wait 800ms)", where)
	live.expect("join", "silent joining", chatFiles)
	live.expect("leave", "silent leaving, dropped for want of pongs", where)

	live.say("still here")
	m := live.expect("message", "its own message after 5 pings answered", where)
	require.Equalf(t, "still here", m.Text, "live got %s; want its own message: a member that answers pings stays (look at %s)", short(m.raw), where)

	// A member that leaves: the goroutines of its connection end with it,
	// not at the next ping.
	ts = startChat(t, "-ping-period", "2s")
	// The room's goroutine runs from here on, and the stayer's three: its
	// message came back, so its reader runs, started after the others.
	stayer, _ := join(t, ts, "stayer", "ka")
	stayer.say("here")
	stayer.expectChat("stayer", "here", chatFiles)
	before := map[string]bool{}
	for _, g := range goroutines() {
		before[g.id] = true
	}
	leaver, _ := join(t, ts, "leaver", "ka")
	leaver.close()
	deadline := time.Now().Add(time.Second)
	for left := serverGoroutines(before); len(left) > 0; left = serverGoroutines(before) {
		if time.Now().After(deadline) {
			t.Fatalf("with -ping-period 2s, 1s after leaver's connection ended: %d goroutine(s) of it still running, in %s; want every goroutine of a connection ended with it, not at its next ping: does keepalive return once the connection's context is done (serveWS's, not context.Background())? (look at client.go: serveWS and keepalive)",
				len(left), strings.Join(left, ", "))
		}
		time.Sleep(10 * time.Millisecond) // poll: a handler winds down on its own
	}
}

// TestShutdown: SIGTERM closes every connection with 1001 and the server
// stops within seconds, leaving no goroutine behind.
func TestShutdown(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)
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
