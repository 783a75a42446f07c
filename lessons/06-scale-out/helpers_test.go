package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// The tests are clients written with gorilla/websocket, the other library,
// so that they do not lean on the one under test.

// msg is any message the server sends, decoded into the union of the fields
// of the contract's messages.
type msg struct {
	Type    string   `json:"type"`
	You     string   `json:"you"`
	Room    string   `json:"room"`
	Epoch   string   `json:"epoch"`
	Members []string `json:"members"`
	History []msg    `json:"history"`
	ID      int64    `json:"id"`
	From    string   `json:"from"`
	Text    string   `json:"text"`
	At      string   `json:"at"`
	Name    string   `json:"name"`
	Error   string   `json:"error"`

	raw string // the message as it came
}

// event is what a client read: a message, or the end of the connection.
type event struct {
	m    msg
	text bool // a text message (m is set when it was JSON)
	bad  error
	// The end: code is the close code (1006 when the TCP connection ended
	// without a close frame), err any other read error.
	code   int
	reason string
	err    error
}

func (e event) end() bool { return e.code != 0 || e.err != nil }

func (e event) String() string {
	switch {
	case e.err != nil:
		return "read error " + e.err.Error()
	case e.code == websocket.CloseAbnormalClosure:
		return "the connection ended without a close frame (1006)"
	case e.code != 0:
		return fmt.Sprintf("close %d %q", e.code, e.reason)
	case !e.text:
		return "a binary message"
	case e.bad != nil:
		return fmt.Sprintf("text %s, which is not JSON (%v)", short(e.m.raw), e.bad)
	}
	return short(e.m.raw)
}

// short quotes s, cut down to its ends when it is long.
func short(s string) string {
	if len(s) > 200 {
		return fmt.Sprintf("%q...%q (%d bytes)", s[:90], s[len(s)-90:], len(s))
	}
	return s
}

// wsClient is a connection whose messages a goroutine reads into a channel,
// so that a test waits for them with a deadline, and pings are answered
// meanwhile.
type wsClient struct {
	tb     testing.TB
	name   string // who it is, for messages: "ann in lobby"
	member string // the name it asked for: a member never hears its own join
	conn   *websocket.Conn
	events chan event
	closed chan struct{}
	once   sync.Once
	done   chan struct{} // the reading goroutine has returned
}

// clientOptions change how a client behaves.
type clientOptions struct {
	pings  chan<- struct{} // told of every ping
	silent bool            // do not answer pings
	origin string          // the Origin header, if any
}

// dialQuery connects to /ws?query and starts reading. It fails the test
// unless the handshake succeeds.
func dialQuery(tb testing.TB, ts *testServer, who, query string, opts ...clientOptions) *wsClient {
	tb.Helper()
	var o clientOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	conn, resp, err := dialWS(ts, query, o.origin)
	if err != nil {
		status := "no response"
		if resp != nil {
			status = resp.Status
		}
		tb.Fatalf("%s: dial /ws?%s: %v (%s); want 101 Switching Protocols (look at client.go: serveWS; it is given)", who, query, err, status)
	}
	c := &wsClient{tb: tb, name: who, conn: conn, events: make(chan event, 4096),
		closed: make(chan struct{}), done: make(chan struct{})}
	if q, err := url.ParseQuery(query); err == nil {
		c.member = q.Get("name")
	}
	conn.SetPingHandler(func(data string) error {
		if o.pings != nil {
			select {
			case o.pings <- struct{}{}:
			default:
			}
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

// dialWS opens a WebSocket to /ws?query.
func dialWS(ts *testServer, query, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{HandshakeTimeout: readTimeout}
	conn, resp, err := d.Dial("ws://"+ts.addr+"/ws?"+query, h)
	if err == nil {
		conn.SetReadLimit(1 << 20) // the client's own limit must not hide the server's
	}
	return conn, resp, err
}

func (c *wsClient) read() {
	defer close(c.done)
	for {
		typ, data, err := c.conn.ReadMessage()
		if err != nil {
			e := event{err: err}
			if ce, ok := errors.AsType[*websocket.CloseError](err); ok {
				e = event{code: ce.Code, reason: ce.Text}
			}
			c.push(e)
			return
		}
		e := event{text: typ == websocket.TextMessage, m: msg{raw: string(data)}}
		if e.text {
			e.bad = json.Unmarshal(data, &e.m)
		}
		c.push(e)
	}
}

func (c *wsClient) push(e event) {
	select {
	case c.events <- e:
	case <-c.closed:
	}
}

// close ends the connection without a close handshake, as a lost network
// does, and waits for the reader.
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

// sendRaw writes a text message as it is.
func (c *wsClient) sendRaw(data string) {
	c.tb.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(readTimeout))
	require.NoErrorf(c.tb, c.conn.WriteMessage(websocket.TextMessage, []byte(data)), "%s: sending %s", c.name, short(data))
}

// say sends a chat message with this text.
func (c *wsClient) say(text string) {
	c.tb.Helper()
	data, _ := json.Marshal(map[string]string{"type": "message", "text": text})
	c.sendRaw(string(data))
}

// expect reads the next message and fails the test unless it is of type
// typ. what says what the test waits for, where what to look at.
func (c *wsClient) expect(typ, what, where string) msg {
	c.tb.Helper()
	return c.expectWithin(readTimeout, typ, what, where)
}

// expectWithin is expect with d to wait instead of readTimeout.
func (c *wsClient) expectWithin(d time.Duration, typ, what, where string) msg {
	c.tb.Helper()
	e, ok := c.next(d)
	if !ok && typ == "welcome" {
		c.tb.Fatalf("%s: waiting for %s: nothing came within %v; want a %q message. The room lets a joiner in once its presence watcher has shown the joiner's claim; a joiner claims as its room starts, so its claim is often among the keys already in the bucket when the watcher starts, which the watcher must show first (not UpdatesOnly), then the changes (look at %s)", c.name, what, d, typ, where)
	}
	if !ok {
		c.tb.Fatalf("%s: waiting for %s: nothing came within %v; want a %q message (look at %s)", c.name, what, d, typ, where)
	}
	if !e.end() && e.m.Type == "join" && e.m.Name == c.member {
		c.tb.Fatalf("%s: waiting for %s: got %s, its own join; want a %q message. A member never hears of its own claim: room.go lets a joiner in once its presence watcher has shown the joiner's claim (the revision claim returned), so that its join goes to the others before it is in. Does your watcher show every key, and does apply tell only the members of local? (look at watch.go: watch, and members.go: apply)", c.name, what, e, typ)
	}
	if e.end() || !e.text || e.bad != nil || e.m.Type != typ {
		c.tb.Fatalf("%s: waiting for %s: got %s; want a %q message (look at %s)", c.name, what, e, typ, where)
	}
	return e.m
}

// expectJoin reads the next message and fails the test unless it is who
// joining.
func (c *wsClient) expectJoin(who, what, where string) {
	c.tb.Helper()
	j := c.expect("join", what, where)
	if j.Name != who {
		c.tb.Fatalf("%s: waiting for %s: got %s; want %s joining (look at %s)", c.name, what, short(j.raw), who, where)
	}
}

// expectChat reads the next message and fails the test unless it is the
// chat message from with text.
func (c *wsClient) expectChat(from, text, where string) msg {
	c.tb.Helper()
	return c.expectChatWithin(readTimeout, from, text, where)
}

// expectChatWithin is expectChat with d to wait instead of readTimeout.
func (c *wsClient) expectChatWithin(d time.Duration, from, text, where string) msg {
	c.tb.Helper()
	what := fmt.Sprintf("%s's message %s", from, short(text))
	m := c.expectWithin(d, "message", what, where)
	if m.ID == 0 {
		c.tb.Fatalf("%s: waiting for %s: got %s, with id 0; want the stream's sequence as the id of every message: does the instance that took it deliver it itself? (look at %s)", c.name, what, short(m.raw), where)
	}
	if m.From != from || m.Text != text {
		c.tb.Fatalf("%s: waiting for %s: got %s; want from %q, text %q (look at %s)", c.name, what, short(m.raw), from, short(text), where)
	}
	return m
}

// expectRefused reads an error message, then a close 1008 with the same
// reason, and returns the reason.
func (c *wsClient) expectRefused(why, where string) string {
	c.tb.Helper()
	m := c.expect("error", why+`: the error message, before the close 1008`, where)
	require.NotEmptyf(c.tb, m.Error, "%s: %s: got %s; want a one-line reason in \"error\" (look at %s)", c.name, why, m.raw, where)
	e, ok := c.next(readTimeout)
	require.Truef(c.tb, ok, "%s: %s: got the error %q, then nothing within %v; want close 1008 with the same reason (look at %s)", c.name, why, m.Error, readTimeout, where)
	if e.code != websocket.ClosePolicyViolation || e.reason != m.Error {
		c.tb.Fatalf("%s: %s: got the error %q, then %s; want close 1008 %q, the same reason (look at %s)", c.name, why, m.Error, e, m.Error, where)
	}
	return m.Error
}

// expectClose reads until the connection ends, within d, and returns the
// event that ended it; it fails the test if a message comes first.
func (c *wsClient) expectClose(d time.Duration, why, where string) event {
	c.tb.Helper()
	e, ok := c.next(d)
	if !ok {
		c.tb.Fatalf("%s: %s: the connection was still open %v later; want it closed (look at %s)", c.name, why, d, where)
	}
	if !e.end() {
		c.tb.Fatalf("%s: %s: got %s; want the connection closed (look at %s)", c.name, why, e, where)
	}
	return e
}

// join connects name to room (none: the query leaves room out) and returns
// the client and its welcome.
func join(tb testing.TB, ts *testServer, name, room string, extra ...string) (*wsClient, msg) {
	tb.Helper()
	q := url.Values{"name": {name}}
	if room != "" {
		q.Set("room", room)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	where := room
	if where == "" {
		where = "lobby"
	}
	c := dialQuery(tb, ts, name+" in "+where, q.Encode())
	w := c.expect("welcome", "the welcome, the first message", "presence.go: claim, watch.go: watch, and welcome.go: welcome")
	return c, w
}

// failedFirst names the first test that failed. The tests run in lesson
// order (their files' names sort so), and each needs what those before it
// check: once one fails, the later ones fail at once, naming it, instead of
// each waiting seconds for what will not come.
var failedFirst atomic.Pointer[string]

// inLessonOrder fails the test at once if an earlier one failed, and
// records its own failure for those after it. Call it first of all.
func inLessonOrder(t *testing.T) {
	t.Helper()
	if first := failedFirst.Load(); first != nil {
		t.Fatalf("not run: %s failed first, and this test needs what it checks; fix that first", *first)
	}
	t.Cleanup(func() {
		if t.Failed() {
			name := t.Name()
			failedFirst.CompareAndSwap(nil, &name)
		}
	})
}

// requireChat fails the test at once while a member's message does not
// come back to it. A second member answers, so that a sender left out shows
// at once: its own message must come before the answer.
func requireChat(tb testing.TB, ts *testServer) {
	tb.Helper()
	const where = "post.go: post publishes to the room's subject (the server log says why a post failed); consume.go: consume follows the subject, and room.go delivers each message to every local member, the sender included, through deliver.go: broadcast"
	a, _ := join(tb, ts, "asker", "echo-check")
	b, _ := join(tb, ts, "answerer", "echo-check")
	a.expect("join", "answerer joining", where)
	a.say("is anybody there?")
	b.expectChat("asker", "is anybody there?", where)
	b.say("yes")
	a.expectChat("asker", "is anybody there?", where+"; answerer's answer must not come before it")
	a.close()
	b.close()
}

// ids returns the ids of ms.
func ids(ms []msg) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// texts returns the texts of ms.
func texts(ms []msg) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

// jsonKeys returns the keys of a JSON object, sorted.
func jsonKeys(tb testing.TB, raw string) []string {
	tb.Helper()
	var m map[string]json.RawMessage
	require.NoErrorf(tb, json.Unmarshal([]byte(raw), &m), "decoding %s", short(raw))
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// uniq returns a name unique within the test: prefix and a counter.
func uniq(prefix string, i int) string { return fmt.Sprintf("%s%d", prefix, i) }
