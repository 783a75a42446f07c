package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// fast is the publisher's rate in most tests: an update every 5ms, so that
// tests never wait long for the next one.
var fast = []string{"-rate", "200"}

// got is an HTTP answer as a test reads it.
type got struct {
	status       int
	contentType  string
	cacheControl string
	body         []byte
}

// get fetches path from ts within readTimeout; file is where its handler is.
func get(t *testing.T, ts *testServer, path, file string) got {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ts.addr+path, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GET %s: no answer within %v (look at %s)", path, readTimeout, file)
	}
	require.NoErrorf(t, err, "GET %s", path)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoErrorf(t, err, "GET %s: reading the body", path)
	return gotOf(resp, body)
}

// gotOf is an answer and its body as a test reads them.
func gotOf(resp *http.Response, body []byte) got {
	return got{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), cacheControl: resp.Header.Get("Cache-Control"), body: body}
}

// pollAnswerOf decodes the body of a /poll or /longpoll answer, checking its
// shape: {"epoch":E,"updates":[...],"next":M}, with "updates" never null and
// every update of epoch E.
func pollAnswerOf(t *testing.T, path, file string, g got) pollAnswer {
	t.Helper()
	require.Equalf(t, http.StatusOK, g.status, "GET %s: got status %d, body %q; want 200 (look at %s)", path, g.status, g.body, file)
	require.Truef(t, strings.HasPrefix(g.contentType, "application/json"), "GET %s: got Content-Type %q; want application/json (look at %s)", path, g.contentType, file)
	requireNoStore(t, path, file, g.cacheControl)
	var raw map[string]json.RawMessage
	require.NoErrorf(t, json.Unmarshal(g.body, &raw), "GET %s: body %q is not a JSON object (look at %s)", path, g.body, file)
	for _, key := range []string{"updates", "next", "epoch"} {
		_, ok := raw[key]
		require.Truef(t, ok, "GET %s: body %q has no %q; want {\"epoch\":E,\"updates\":[...],\"next\":M}, E the server's epoch, s.epoch (look at %s)", path, short(g.body), key, file)
	}
	require.NotEqualf(t, "null", string(raw["updates"]), "GET %s: body %q; want \"updates\":[] when there are none, not null (look at %s)", path, g.body, file)
	var a pollAnswer
	require.NoErrorf(t, json.Unmarshal(g.body, &a), "GET %s: body %q does not decode as {\"epoch\":E,\"updates\":[...],\"next\":M} (look at %s)", path, short(g.body), file)
	require.NotEmptyf(t, a.Epoch, "GET %s: body %q has an empty epoch; want the server's, s.epoch, in every answer, so that the client sends it back with next (look at %s)", path, short(g.body), file)
	for i, u := range a.Updates {
		require.Truef(t, u.Seq > 0 && u.Symbol != "" && u.Price > 0 && u.Sent > 0,
			"GET %s: update %d is %+v; want seq, symbol, price and sent all set (look at %s)", path, i, u, file)
		require.Equalf(t, a.Epoch, u.Epoch, "GET %s: update %d has epoch %q in an answer of epoch %q; want every update stamped with the store's epoch, which is the server's (look at store.go: publish)", path, i, u.Epoch, a.Epoch)
		if i > 0 {
			require.Equalf(t, a.Updates[i-1].Seq+1, u.Seq, "GET %s: update %d has seq %d after %d; want the updates in order, none missing (look at %s)", path, i, u.Seq, a.Updates[i-1].Seq, file)
		}
	}
	return a
}

// requireNoStore checks that an answer tells caches not to keep it: a cached
// answer would hand a browser or a proxy the same updates again.
func requireNoStore(t *testing.T, path, file, cacheControl string) {
	t.Helper()
	require.Equalf(t, "no-store", cacheControl, "GET %s: got Cache-Control %q; want \"no-store\": a cache between the page and the server may otherwise answer the next request with this one (look at %s: w.Header().Set before the status is written)", path, cacheControl, file)
}

// waitForSeq polls /poll until the server has published update n, within
// readTimeout, and returns the latest seq. Polling is fair here: the
// publisher makes an update every 5ms.
func waitForSeq(t *testing.T, ts *testServer, n uint64) uint64 {
	t.Helper()
	deadline := time.Now().Add(readTimeout)
	for {
		a := pollAnswerOf(t, "/poll?since=0", "poll.go (servePoll)", get(t, ts, "/poll?since=0", "poll.go (servePoll)"))
		if a.Next >= n {
			return a.Next
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /poll?since=0: next is %d after %v with -rate 200; want update %d published by then (look at store.go and poll.go)", a.Next, readTimeout, n)
		}
		time.Sleep(5 * time.Millisecond) // the next update is due in 5ms
	}
}

// badSince are values of since that are not non-negative integers.
var badSince = []string{"abc", "-1", "1.5", "", "0x10", "18446744073709551616"}

// requireJSONError checks a refusal: 400 with {"error":"one line"}.
func requireJSONError(t *testing.T, path, file string, g got) {
	t.Helper()
	require.Equalf(t, http.StatusBadRequest, g.status, "GET %s: got status %d, body %q; want 400 Bad Request (look at %s)", path, g.status, g.body, file)
	require.Truef(t, strings.HasPrefix(g.contentType, "application/json"), "GET %s: 400 with Content-Type %q, body %q; want a JSON error, application/json (look at %s)", path, g.contentType, g.body, file)
	var e struct {
		Error string `json:"error"`
	}
	err := json.Unmarshal(g.body, &e)
	require.Truef(t, err == nil && e.Error != "" && !strings.Contains(e.Error, "\n"),
		"GET %s: 400 body %q; want JSON {\"error\":\"one-line reason\"} (look at %s)", path, g.body, file)
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	id   string
	data string
}

// sseStream reads events from an open /sse response.
type sseStream struct {
	resp     *http.Response
	br       *bufio.Reader
	comments int // comment lines read so far
}

// openSSE opens /sse with the given Last-Event-ID ("" for none). The stream
// is closed when ctx ends, which bounds every read, or when the test ends.
func openSSE(t *testing.T, ctx context.Context, ts *testServer, lastID string) *sseStream {
	t.Helper()
	return openSSEAt(t, ctx, ts, "/sse", lastID)
}

// openSSEAt opens path, /sse with a query, as openSSE opens /sse.
func openSSEAt(t *testing.T, ctx context.Context, ts *testServer, path, lastID string) *sseStream {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ts.addr+path, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoErrorf(t, err, "GET /sse: no response headers in time; want them at once: are they flushed before the first event? (look at sse.go)")
	t.Cleanup(func() { resp.Body.Close() })
	require.Equalf(t, http.StatusOK, resp.StatusCode, "GET /sse: got status %s; want 200 (look at sse.go)", resp.Status)
	ct := resp.Header.Get("Content-Type")
	require.Truef(t, strings.HasPrefix(ct, "text/event-stream"), "GET /sse: got Content-Type %q; want text/event-stream (look at sse.go)", ct)
	requireNoStore(t, "/sse", "sse.go", resp.Header.Get("Cache-Control"))
	return &sseStream{resp: resp, br: bufio.NewReader(resp.Body)}
}

// errNoBlankLine: the server wrote the fields of a next event before the
// blank line that ends an event.
var errNoBlankLine = errors.New("the event was not ended by a blank line")

// next reads the next event, counting and skipping comments. An event's
// fields that run into the next event's, with no blank line between, are
// errNoBlankLine: a browser would join them into one event.
func (s *sseStream) next() (sseEvent, error) {
	e, _, err := s.read(false)
	return e, err
}

// read reads the next event, or with stopAtComment the next comment if one
// comes first (then comment is true).
func (s *sseStream) read(stopAtComment bool) (e sseEvent, comment bool, err error) {
	var fields []string
	for {
		line, err := s.br.ReadString('\n')
		if err != nil {
			if len(fields) > 0 {
				err = fmt.Errorf("%w: read %q, then %v", errNoBlankLine, strings.Join(fields, ""), err)
			}
			return e, false, err
		}
		field := strings.TrimRight(line, "\r\n")
		switch {
		case field == "" && len(fields) > 0:
			return e, false, nil
		case field == "":
		case strings.HasPrefix(field, ":"):
			s.comments++
			if stopAtComment && len(fields) == 0 {
				return e, true, nil
			}
		default:
			name, value, _ := strings.Cut(field, ":")
			value = strings.TrimPrefix(value, " ")
			if name == "id" && e.id != "" || name == "data" && e.data != "" {
				return e, false, fmt.Errorf("%w: read %q, then %q", errNoBlankLine, strings.Join(fields, ""), line)
			}
			fields = append(fields, line)
			switch name {
			case "id":
				e.id = value
			case "data":
				if e.data != "" {
					e.data += "\n"
				}
				e.data += value
			}
		}
	}
}

// blankLineHint is what a test says when events are not ended by a blank
// line.
const blankLineHint = "each event is its fields (id:, data:), each ended by a newline, then an empty line: \"id: 7\\ndata: {...}\\n\\n\"; without the empty line the browser takes the next event's lines as more of this one"

// requireBlankLines stops the test when err says that an event was not
// ended by a blank line.
func requireBlankLines(t *testing.T, err error, what string) {
	t.Helper()
	if errors.Is(err, errNoBlankLine) {
		t.Fatalf("GET /sse: reading %s: %v; want %s (look at sse.go)", what, err, blankLineHint)
	}
}

// update reads the next event as an update, checking that its id is its seq.
func (s *sseStream) update(t *testing.T, what string) update {
	t.Helper()
	e, err := s.next()
	requireBlankLines(t, err, what)
	require.NoErrorf(t, err, "GET /sse: reading %s: %v; want an event within %v, each flushed as it is written (look at sse.go)", what, err, readTimeout)
	var u update
	require.NoErrorf(t, json.Unmarshal([]byte(e.data), &u), "GET /sse: %s has data %q; want one update as JSON in a data: line (look at sse.go)", what, e.data)
	require.NotEmptyf(t, u.Epoch, "GET /sse: %s has data %q, with no epoch; want every update stamped with the store's epoch (look at store.go: publish)", what, e.data)
	require.Equalf(t, strconv.FormatUint(u.Seq, 10), e.id, "GET /sse: %s is update %d with id: %q; want an id: line holding the seq, which the browser sends back as Last-Event-ID (look at sse.go)", what, u.Seq, e.id)
	return u
}

// dialWS opens /ws with a gorilla client; pings are counted into pings.
func dialWS(t *testing.T, ts *testServer, pings chan<- struct{}) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: readTimeout}
	c, resp, err := d.Dial("ws://"+ts.addr+"/ws", nil)
	if err != nil {
		status := "no response"
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("dial /ws: %v (%s); want 101 Switching Protocols (look at ws.go)", err, status)
	}
	t.Cleanup(func() { c.Close() })
	if pings != nil {
		c.SetPingHandler(func(data string) error {
			select {
			case pings <- struct{}{}:
			default:
			}
			return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(readTimeout))
		})
	}
	return c
}

// wsUpdate reads the next message from /ws as an update.
func wsUpdate(t *testing.T, c *websocket.Conn, what string) update {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(readTimeout))
	typ, data, err := c.ReadMessage()
	require.NoErrorf(t, err, "/ws: reading %s: %v; want an update within %v (look at ws.go)", what, err, readTimeout)
	require.Equalf(t, websocket.TextMessage, typ, "/ws: %s is a message of type %d; want text (1) (look at ws.go)", what, typ)
	var u update
	require.NoErrorf(t, json.Unmarshal(data, &u), "/ws: %s is %q; want one update as JSON per message (look at ws.go)", what, data)
	require.Truef(t, u.Seq > 0 && u.Symbol != "" && u.Epoch != "", "/ws: %s is %q; want an update with epoch, seq and symbol (look at ws.go, and store.go: publish)", what, data)
	return u
}

// closeAfterUpdates reads past the updates sent before the close, within
// readTimeout, and returns how reading ended.
func closeAfterUpdates(c *websocket.Conn) error {
	c.SetReadDeadline(time.Now().Add(readTimeout))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return err
		}
	}
}

// goroutinesIn returns the stacks of the goroutines running fn.
func goroutinesIn(fn string) []string {
	var out []string
	for _, g := range goroutines() {
		if strings.Contains(g.stack, fn+"(") {
			out = append(out, g.stack)
		}
	}
	return out
}

// state is a goroutine's state as its stack shows it: "select", "sleep".
func state(stack string) string {
	_, rest, _ := strings.Cut(stack, "[")
	s, _, _ := strings.Cut(rest, "]")
	s, _, _ = strings.Cut(s, ",")
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// requireStore stops a test of a transport at once when the store's news
// does not work: everything that waits would wait out its deadline, test
// after test, to say what TestStore says already.
func requireStore(t *testing.T) {
	t.Helper()
	st := newStore("test")
	_, news := st.since(0)
	u := st.publish("GOPH", 1, time.Now())
	closed := false
	if news != nil {
		select {
		case <-news:
			closed = true
		default:
		}
	}
	if u.Seq != 1 || !closed {
		t.Fatalf("the store does not work yet (first seq %d, want 1; news closed at publish: %v, want true): TestStore says what to fix in store.go first", u.Seq, closed)
	}
}

// short is a body as a message quotes it: its first 200 bytes.
func short(body []byte) string {
	if len(body) > 200 {
		return string(body[:200]) + "..."
	}
	return string(body)
}

// inOrder runs the cases of a test, each of which needs what those before it
// check: once one fails, the rest fail at once, naming it, instead of each
// waiting seconds for what will not come.
type inOrder struct {
	t      *testing.T
	failed string // the case that failed first
}

func (o *inOrder) run(name string, f func(t *testing.T)) {
	o.t.Run(name, func(t *testing.T) {
		if o.failed != "" {
			t.Fatalf("not tried: %q failed first, and this case needs what it checks; fix that first", o.failed)
		}
		t.Cleanup(func() {
			if t.Failed() && o.failed == "" {
				o.failed = name
			}
		})
		f(t)
	})
}
