package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// startHub starts the server with ticks off, so that only the test's own
// messages arrive, and these extra flags (a later -tick wins).
func startHub(tb testing.TB, flags ...string) *testServer {
	tb.Helper()
	var ts *testServer
	// Registered first, so it runs after the server's shutdown: a hub or a
	// ticker that outlives the server is said at once, not after the leak
	// check's wait.
	tb.Cleanup(func() {
		if ts != nil && strings.Contains(ts.logs.String(), "did not stop") {
			tb.Errorf("at shutdown the hub or the ticker was still running 1s after the server stopped; want both to return when their context is done (look at hub.go: run, and tick.go: publishTicks)")
		}
	})
	ts = startServer(tb, append([]string{"-tick", "0"}, flags...)...)
	return ts
}

// event is what a client read: a message, a ping, or the end of the
// connection.
type event struct {
	typ  int    // websocket.TextMessage or BinaryMessage; 0 for the others
	data string // the message, or the ping's payload
	ping bool
	// The end: code is the close code (1006 when the TCP connection ended
	// without a close frame), err any other read error.
	code   int
	reason string
	err    error
}

func (e event) String() string {
	switch {
	case e.ping:
		return "a ping"
	case e.err != nil:
		return "error " + e.err.Error()
	case e.code == websocket.CloseAbnormalClosure:
		return "the connection ended without a close frame (1006)"
	case e.code != 0:
		return fmt.Sprintf("close %d %q", e.code, e.reason)
	case e.typ == websocket.BinaryMessage:
		return fmt.Sprintf("binary message of %d bytes", len(e.data))
	}
	return "text " + short(e.data)
}

// short quotes s, cut down to its ends when it is long.
func short(s string) string {
	if len(s) > 60 {
		return fmt.Sprintf("%q...%q (%d bytes)", s[:24], s[len(s)-24:], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// wsClient is a gorilla/websocket client whose messages a goroutine reads
// into a channel, so that a test waits for them with a deadline and the
// connection keeps answering pings meanwhile.
type wsClient struct {
	tb     testing.TB
	name   string
	conn   *websocket.Conn
	events chan event
	closed chan struct{}
	once   sync.Once
	done   chan struct{} // the reading goroutine has returned
}

// clientOptions change how dial's client behaves.
type clientOptions struct {
	pings  bool // report pings as events
	silent bool // do not answer pings
}

// dial connects a client to /ws and starts reading.
func dial(tb testing.TB, ts *testServer, name string, opts ...clientOptions) *wsClient {
	tb.Helper()
	var o clientOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	conn := dialConn(tb, ts, name)
	c := &wsClient{tb: tb, name: name, conn: conn, events: make(chan event, 4096),
		closed: make(chan struct{}), done: make(chan struct{})}
	conn.SetPingHandler(func(data string) error {
		if o.pings {
			c.push(event{ping: true, data: data})
		}
		if o.silent {
			return nil
		}
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(readTimeout))
	})
	go c.read()
	tb.Cleanup(c.close)
	return c
}

// dialConn opens a WebSocket to /ws and nothing more: nobody reads it.
func dialConn(tb testing.TB, ts *testServer, name string) *websocket.Conn {
	tb.Helper()
	d := websocket.Dialer{HandshakeTimeout: readTimeout}
	conn, resp, err := d.Dial("ws://"+ts.addr+"/ws", nil)
	if err != nil {
		status := "no response"
		if resp != nil {
			status = resp.Status
		}
		tb.Fatalf("%s: dial /ws: %v (%s); want 101 Switching Protocols (serveWS in main.go is given: has it changed?)", name, err, status)
	}
	conn.SetReadLimit(1 << 20) // the client's own limit must not hide the server's
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// endOf is the event that ends a connection whose read failed with err.
func endOf(err error) event {
	if ce, ok := errors.AsType[*websocket.CloseError](err); ok {
		return event{code: ce.Code, reason: ce.Text}
	}
	return event{err: err}
}

func (c *wsClient) read() {
	defer close(c.done)
	for {
		typ, data, err := c.conn.ReadMessage()
		if err != nil {
			c.push(endOf(err))
			return
		}
		c.push(event{typ: typ, data: string(data)})
	}
}

func (c *wsClient) push(e event) {
	select {
	case c.events <- e:
	case <-c.closed:
	}
}

func (c *wsClient) close() {
	c.once.Do(func() {
		close(c.closed)
		c.conn.Close()
	})
	<-c.done
}

// next returns the next event, waiting at most d.
func (c *wsClient) next(d time.Duration) (event, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case e := <-c.events:
		return e, true
	case <-t.C:
		return event{}, false
	}
}

// send writes a text message.
func (c *wsClient) send(msg string) {
	c.tb.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(readTimeout))
	require.NoErrorf(c.tb, c.conn.WriteMessage(websocket.TextMessage, []byte(msg)), "%s: sending %s", c.name, short(msg))
}

// expect reads the next event and fails the test unless it is the text
// want; where says what to look at.
func (c *wsClient) expect(want, why, where string) {
	c.tb.Helper()
	e, ok := c.next(readTimeout)
	if !ok {
		c.tb.Fatalf("%s: waiting for %s (%s): nothing came within %v; want it (look at %s)", c.name, short(want), why, readTimeout, where)
	}
	if e.typ != websocket.TextMessage || e.data != want {
		c.tb.Fatalf("%s: waiting for %s (%s): got %s; want text %s (look at %s)", c.name, short(want), why, e, short(want), where)
	}
}

// expectNothing checks that no message comes within d.
func (c *wsClient) expectNothing(d time.Duration, why, where string) {
	c.tb.Helper()
	if e, ok := c.next(d); ok {
		c.tb.Fatalf("%s: got %s (%s); want nothing more (look at %s)", c.name, e, why, where)
	}
}

// expectClose reads messages until the connection ends, within d, and
// returns the messages and the event that ended it.
func (c *wsClient) expectClose(d time.Duration) (msgs []string, end event, ok bool) {
	deadline := time.Now().Add(d)
	for {
		e, got := c.next(time.Until(deadline))
		if !got {
			return msgs, event{}, false
		}
		if e.code != 0 || e.err != nil {
			return msgs, e, true
		}
		if !e.ping {
			msgs = append(msgs, e.data)
		}
	}
}

const hubFiles = "hub.go (run, publish) and client.go (readPump, writePump)"

// requireBroadcast fails the test at once, with one message, while a client's
// own message does not come back to it through the hub.
func requireBroadcast(tb testing.TB, ts *testServer) {
	tb.Helper()
	before := writers() // of an earlier test that failed, if any
	c := dial(tb, ts, "a first client")
	c.send("is anybody there?")
	deadline := time.Now().Add(readTimeout)
	for {
		e, ok := c.next(time.Until(deadline))
		if !ok {
			tb.Fatalf("a client sent text \"is anybody there?\" and got nothing back within %v; want its own message back: the hub sends every message to every client, the sender included (look at %s)", readTimeout, hubFiles)
		}
		if e.typ == websocket.TextMessage && strings.HasPrefix(e.data, `{"type":"tick"`) {
			continue
		}
		if e.typ != websocket.TextMessage || e.data != "is anybody there?" {
			tb.Fatalf("a client sent text \"is anybody there?\" and got %s; want the same text back: the hub sends every message to every client, the sender included (look at %s)", e, hubFiles)
		}
		break
	}
	// Its writer must end with it: serveClient (main.go) waits for it
	// before it closes the connection.
	c.close()
	for wait := time.Now().Add(readTimeout); writers() > before; {
		if time.Now().After(wait) {
			tb.Fatalf("a client got its own message back and closed its connection; %v later %d writer(s) (writePump) were still running, %d more than before it connected. Want writePump to return once reading is over (done is closed): until it does, serveClient (main.go) waits for it, the connection stays open and a client that stopped answering is never dropped (look at %s)", readTimeout, writers(), writers()-before, writerFile)
		}
		time.Sleep(5 * time.Millisecond) // poll: goroutines end on their own
	}
}

// dialJoined connects n clients and returns once each is surely in the hub:
// each sends "NAME joined", which it and the ones before it must receive.
func dialJoined(tb testing.TB, ts *testServer, n int) []*wsClient {
	tb.Helper()
	var cs []*wsClient
	for i := range n {
		c := dial(tb, ts, fmt.Sprintf("client %d", i))
		cs = append(cs, c)
		hello := c.name + " joined"
		c.send(hello)
		for _, o := range cs {
			o.expect(hello, c.name+" sent it", hubFiles)
		}
	}
	return cs
}

// writers counts the goroutines running writePump.
func writers() int { return running("writePump") }

// running counts the goroutines running the method of that name.
func running(method string) int {
	n := 0
	for _, g := range goroutines() {
		if strings.Contains(g.stack, ")."+method+"(") {
			n++
		}
	}
	return n
}

// originHeader is a request header with this Origin.
func originHeader(origin string) http.Header {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return h
}

// whyStuck says, from the goroutines' stacks, why the clients that read got
// nothing while one did not read, and where to look: the hub blocked on a
// full queue, or writers waiting for a lock that the stalled client's writer
// holds while its write blocks.
func whyStuck() string {
	var locked int
	for _, g := range goroutines() {
		_, state, _ := strings.Cut(g.stack, "[") // goroutine 7 [chan send]:
		state, _, _ = strings.Cut(state, "]")
		switch {
		case strings.Contains(g.stack, "(*hub).run(") && strings.HasPrefix(state, "chan send"):
			return "hub.run is blocked sending to a client's queue: does the hub wait for a full queue? A full queue must evict its client, never block the broadcast (look at hub.go: run)"
		case strings.Contains(g.stack, ").writePump(") && (strings.Contains(state, "Mutex") || strings.HasPrefix(state, "semacquire")):
			locked++
		}
	}
	if locked > 0 {
		return fmt.Sprintf("%d writer(s) (writePump) are waiting for a lock: is a lock shared by connections held across a write? The stalled client's writer holds it while its write blocks, and every other writer waits with it. One writer per connection needs no lock (look at client.go: writePump)", locked)
	}
	return "does the hub wait for a full queue, or a writer for another connection? A full queue must evict its client, never block the broadcast (look at hub.go: run, and client.go: writePump)"
}

// runHub runs a hub of its own, with no server, for the tests of the hub
// alone. stop ends its run and says whether run returned within wait; it
// runs again when the test ends, briefly: a stuck hub has been reported.
func runHub(t *testing.T) (h *hub, stop func(wait time.Duration) bool) {
	h = newHub()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		h.run(ctx)
	}()
	stop = func(wait time.Duration) bool {
		cancel()
		select {
		case <-stopped:
			return true
		case <-time.After(wait):
			return false
		}
	}
	t.Cleanup(func() { stop(500 * time.Millisecond) })
	return h, stop
}
