package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEchoMessages(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	c := dial(t, ts)
	binaryOf := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		return b
	}
	for _, tc := range []struct {
		name    string
		op      opcode
		payload []byte
		lenBits int // how the server must write the length
	}{
		{"text", opText, []byte("Hello, WebSocket"), 7},
		{"empty text", opText, []byte{}, 7},
		{"text with multi-byte UTF-8", opText, []byte("héllo wörld ✓"), 7},
		{"binary", opBinary, []byte{0, 1, 2, 0xFF, 0xFE}, 7},
		{"binary of 125 bytes", opBinary, binaryOf(125), 7},
		{"binary of 126 bytes", opBinary, binaryOf(126), 16},
		{"binary of 65535 bytes", opBinary, binaryOf(65535), 16},
		{"binary of 65536 bytes", opBinary, binaryOf(65536), 64},
	} {
		c.send(true, tc.op, tc.payload)
		f := c.expectFrame(tc.op, tc.payload, "echo of a "+tc.name+" message", "echo in echo.go")
		assert.Equal(t, tc.lenBits, f.lenBits, "echo of a %s message: bits the length is written in (the shortest form); see writeFrame in frame.go", tc.name)
	}

	// A client may send its first frame without waiting for the 101; the
	// frame then reaches the server with the request, often in one packet.
	early := []byte("sent in the same write as the handshake")
	c = dialThen(t, ts, clientFrame(0x81, true, randomKey(), early))
	c.expectFrame(opText, early, "echo of a text frame sent in the same write as the handshake request",
		"upgrade in handshake.go: net/http read that frame along with the request, into the buffered reader Hijack returned; "+
			"frames must be read from that reader, since a new one on the net.Conn starts after the bytes it holds")
}

func TestPingPong(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	c := dial(t, ts)
	for _, payload := range [][]byte{[]byte("are you there?"), {}, bytes.Repeat([]byte("p"), 125)} {
		c.send(true, opPing, payload)
		c.expectFrame(opPong, payload, fmt.Sprintf("ping of %d bytes", len(payload)), "echo in echo.go")
	}
	// Two pings in one write: a pong each, in order.
	c.writeRaw(append(clientFrame(0x89, true, randomKey(), []byte("one")), clientFrame(0x89, true, randomKey(), []byte("two"))...))
	c.expectFrame(opPong, []byte("one"), "the first of two pings sent in one write", "echo in echo.go")
	c.expectFrame(opPong, []byte("two"), "the second of two pings sent in one write", "echo in echo.go")

	c.send(true, opPong, []byte("unsolicited"))
	c.send(true, opPong, bytes.Repeat([]byte("q"), 125))
	c.echoes("after two unsolicited pongs (of 11 and 125 bytes), which must be ignored")
}

func TestFragmentedMessage(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	c := dial(t, ts)

	c.send(false, opText, []byte("Hel"))
	c.send(false, opContinuation, []byte("lo, "))
	c.send(false, opContinuation, []byte{})
	c.send(true, opContinuation, []byte("world"))
	c.expectFrame(opText, []byte("Hello, world"), "text sent in 4 fragments", "echo in echo.go")

	// A ping may come between the fragments of a message (RFC 6455 section 5.4).
	c.send(false, opBinary, []byte{1, 2})
	c.send(true, opPing, []byte("between"))
	c.send(true, opContinuation, []byte{3})
	c.expectFrame(opPong, []byte("between"), "ping between two fragments of a message", "echo in echo.go")
	c.expectFrame(opBinary, []byte{1, 2, 3}, "binary sent in 2 fragments with a ping between them", "echo in echo.go")
}

func TestCloseHandshake(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	for _, code := range []uint16{1000, 1001, 1003, 3000, 4999} {
		c := dial(t, ts)
		c.send(true, opClose, append(binary.BigEndian.AppendUint16(nil, code), "bye"...))
		c.expectClose(code, fmt.Sprintf("client sent close %d", code), "echo and closeWith in echo.go")
	}

	// A close of 125 bytes, the most a control frame carries: the code and
	// a reason of 123 bytes.
	c := dial(t, ts)
	c.send(true, opClose, append([]byte{0x03, 0xE8}, bytes.Repeat([]byte("r"), 123)...))
	c.expectClose(closeNormal, "client sent close 1000 with a 123-byte reason (125 bytes, the most a control frame carries)", "readFrame in frame.go and echo in echo.go")

	// A close after a close, in one write: the first is answered, the second
	// read away; then the TCP connection ends in order.
	c = dial(t, ts)
	bye := clientFrame(0x88, true, randomKey(), []byte{0x03, 0xE8})
	c.writeRaw(append(bye, bye...))
	c.expectClose(closeNormal, "client sent close 1000 twice", "echo and closeWith in echo.go")

	// An empty close carries no code: answer with an empty close or 1000.
	c = dial(t, ts)
	c.send(true, opClose, nil)
	f, err := c.next()
	require.NoError(t, err, "client sent an empty close: want a close frame back; see echo in echo.go")
	require.True(t, f.op == opClose, "client sent an empty close: got a %s, want a close frame; see echo in echo.go", f)
	if len(f.payload) > 0 {
		require.GreaterOrEqual(t, len(f.payload), 2, "client sent an empty close: the answer's body is 1 byte; see closeWith in echo.go")
		require.Equal(t, uint16(closeNormal), binary.BigEndian.Uint16(f.payload),
			"client sent an empty close: answer has code %d, want an empty body or 1000; see closeWith in echo.go", binary.BigEndian.Uint16(f.payload))
	}
	c.expectFIN("client sent an empty close, after the close frame")

	// A client that leaves without a close frame (its TCP FIN) is gone: the
	// server closes too, sending nothing more, not even a ping.
	c = dial(t, ts)
	c.echoes("before the client left")
	require.NoError(t, c.nc.(*net.TCPConn).CloseWrite(), "close the client's side of the TCP connection")
	f, err = c.next()
	switch {
	case err == nil:
		require.Failf(t, "frame to a peer that left", "client closed its TCP connection without a close frame: got a %s; want the connection closed with nothing sent: the peer is gone; see nextFrame in echo.go: does a read error that is not a timeout end the connection?", f)
	case isTimeout(err):
		require.Failf(t, "connection left open", "client closed its TCP connection without a close frame: the server still held it %v later; see nextFrame in echo.go", readTimeout)
	}

	// The server's own close: the reason is cut to fit the 125 bytes of a
	// control frame, and is still valid UTF-8. (Nothing the server says in
	// this lesson is that long: closeWith is called directly.)
	long := strings.Repeat("é", 100) // 200 bytes
	server, peer := net.Pipe()
	t.Cleanup(func() { peer.Close() })
	sc := newConn(server, bufio.NewReadWriter(bufio.NewReader(server), bufio.NewWriter(server)),
		config{writeWait: time.Second, closeWait: time.Second}, context.Background())
	go sc.closeWith(closeNormal, long)
	pc := &client{t: t, nc: peer, br: bufio.NewReader(peer)}
	f, err = pc.next()
	require.NoError(t, err, "closeWith(1000, a 200-byte reason): want a close frame; see closeWith in echo.go")
	require.True(t, f.op == opClose && len(f.payload) >= 2, "closeWith(1000, a 200-byte reason): got a %s, want a close frame with code 1000; see closeWith in echo.go", f)
	reason := f.payload[2:]
	require.LessOrEqual(t, len(f.payload), 125, "closeWith(1000, a 200-byte reason): the close frame's body is %d bytes; a control frame carries at most 125 (RFC 6455 section 5.5): cut the reason; see closeWith in echo.go", len(f.payload))
	require.True(t, utf8.Valid(reason), "closeWith(1000, %d times \"é\"): the reason was cut in the middle of a character, %q is not valid UTF-8; see closeWith in echo.go", 100, reason)
	require.True(t, len(reason) >= 100 && strings.HasPrefix(long, string(reason)), "closeWith(1000, %d times \"é\"): reason %q; want the start of the reason, as much of it as fits; see closeWith in echo.go", 100, reason)
	peer.Close()

	// A peer that does not read the server's close frame: once writeWait has
	// passed it is dropped at once; waiting closeWait for its answer is for a
	// peer that got the frame.
	server, peer = net.Pipe() // unbuffered: a write waits for the peer to read
	t.Cleanup(func() { peer.Close() })
	spy := &spyConn{Conn: server}
	sc = newConn(spy, bufio.NewReadWriter(bufio.NewReader(spy), bufio.NewWriter(spy)),
		config{writeWait: 50 * time.Millisecond, closeWait: time.Minute}, context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sc.closeWith(closeNormal, "bye") }()
	select {
	case <-done:
	case <-time.After(readTimeout):
		require.Failf(t, "close blocked", "closeWith to a peer that does not read (-write-wait 50ms, -close-wait 1m): still running %v later; see closeWith in echo.go: when the close frame cannot be sent, c.drop, not c.finish", readTimeout)
	}
	assert.True(t, spy.closed.Load(), "closeWith to a peer that does not read: the close frame could not be sent and the connection was left open; see closeWith in echo.go: c.drop is for a peer that is gone")
}

func TestProtocolErrors(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	bystander := dial(t, ts) // must not notice anything
	key := randomKey()
	closeWithCode := func(code uint16) []byte {
		return clientFrame(0x88, true, key, binary.BigEndian.AppendUint16(nil, code))
	}
	const inFrame, inEcho = "readFrame in frame.go", "echo in echo.go"
	cases := []struct {
		name, where string
		raw         [][]byte
	}{
		{"an unmasked frame", inFrame, [][]byte{clientFrame(0x81, false, key, []byte("hi"))}},
		{"RSV1 set", inFrame, [][]byte{clientFrame(0xC1, true, key, []byte("hi"))}},
		{"unknown opcode 0x3", inFrame, [][]byte{clientFrame(0x83, true, key, []byte("hi"))}},
		{"unknown opcode 0xB", inFrame, [][]byte{clientFrame(0x8B, true, key, nil)}},
		{"a ping of 126 bytes", inFrame, [][]byte{clientFrame(0x89, true, key, make([]byte, 126))}},
		{"a pong of 126 bytes", inFrame, [][]byte{clientFrame(0x8A, true, key, make([]byte, 126))}},
		{"a close of 126 bytes", inFrame, [][]byte{clientFrame(0x88, true, key, append([]byte{0x03, 0xE8}, bytes.Repeat([]byte("r"), 124)...))}},
		{"a fragmented ping", inFrame, [][]byte{clientFrame(0x09, true, key, []byte("a")), clientFrame(0x80, true, key, []byte("b"))}},
		{"a 64-bit length with the top bit set", inFrame, [][]byte{append(binary.BigEndian.AppendUint64([]byte{0x82, 0xFF}, 1<<63|5), key[:]...)}},
		{"a continuation frame with no message to continue", inEcho, [][]byte{clientFrame(0x80, true, key, []byte("orphan"))}},
		{"a new text frame inside a fragmented message", inEcho, [][]byte{clientFrame(0x01, true, key, []byte("one")), clientFrame(0x81, true, key, []byte("two"))}},
		{"a close frame with a 1-byte body", inEcho, [][]byte{clientFrame(0x88, true, key, []byte{0x03})}},
	}
	for _, code := range []uint16{0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535} {
		cases = append(cases, struct {
			name, where string
			raw         [][]byte
		}{fmt.Sprintf("a close frame with the invalid code %d", code), "peerClose / echo in echo.go", [][]byte{closeWithCode(code)}})
	}
	// Each bad frame is followed by a message the client sent on before it
	// saw the close: the server must read it away rather than reset.
	more := clientFrame(0x82, true, key, make([]byte, 64<<10))
	for _, tc := range cases {
		c := dial(t, ts)
		for _, b := range tc.raw {
			c.writeRaw(b)
		}
		c.writeRaw(more)
		c.expectClose(closeProtocolError, "client sent "+tc.name+" (and then a 64 KiB message)", tc.where)
	}
	bystander.echoes("another client, after the protocol errors of others")
	dial(t, ts).echoes("a new client, after the protocol errors of others")
}

func TestInvalidUTF8(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)

	c := dial(t, ts)
	c.send(true, opText, []byte("bad \xff\xfe bytes"))
	c.expectClose(closeInvalidPayload, "client sent a text message with invalid UTF-8", "echo in echo.go")

	c = dial(t, ts)
	c.send(false, opText, []byte("fine, "))
	c.send(true, opContinuation, []byte("then \xc0\xaf"))
	c.expectClose(closeInvalidPayload, "client sent invalid UTF-8 in the last fragment of a text message", "echo in echo.go")

	// UTF-8 is checked on the whole message: a character may be split
	// between two fragments.
	c = dial(t, ts)
	euro := []byte("€") // 3 bytes
	c.send(false, opText, euro[:1])
	c.send(true, opContinuation, euro[1:])
	c.expectFrame(opText, euro, "text message whose 3-byte character is split between 2 fragments", "echo in echo.go")

	// Binary messages are not text: any bytes go.
	c.send(true, opBinary, []byte{0xff, 0xfe})
	c.expectFrame(opBinary, []byte{0xff, 0xfe}, "binary message with bytes that are not UTF-8", "echo in echo.go")

	// The reason of a close frame is text too (RFC 6455 section 5.5.1).
	c = dial(t, ts)
	c.send(true, opClose, append([]byte{0x03, 0xE8}, "bye \xff"...))
	c.expectClose(closeInvalidPayload, "client sent close 1000 with the reason \"bye \\xff\", which is not UTF-8", "peerClose in echo.go")
}

func TestMessageTooBig(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	big := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	// fragmented sends n bytes as one binary message in fragments of size
	// bytes (the last may be shorter), all in one write.
	fragmented := func(c *client, n, size int) {
		var b []byte
		for sent := 0; sent < n; sent += size {
			op := opContinuation
			if sent == 0 {
				op = opBinary
			}
			p := big(min(size, n-sent))
			b = append(b, clientFrame(head(sent+len(p) == n, op), true, randomKey(), p)...)
		}
		c.writeRaw(b)
	}
	const inEcho = "echo in echo.go"

	c := dial(t, ts)
	for _, n := range []int{maxMessageSize - 1, maxMessageSize} {
		c.send(true, opText, big(n))
		c.expectFrame(opText, big(n), fmt.Sprintf("text message of exactly %d bytes", n), inEcho)
	}
	fragmented(c, maxMessageSize, 40000)
	c.expectFrame(opBinary, big(maxMessageSize), "message of 65536 bytes in 2 fragments", inEcho)
	fragmented(c, maxMessageSize, 16)
	c.expectFrame(opBinary, big(maxMessageSize), "message of 65536 bytes in 4096 fragments of 16 bytes", inEcho)

	for _, tc := range []struct {
		what, where string
		send        func(c *client)
	}{
		{"a text message of 65537 bytes", "readFrame in frame.go and echo in echo.go", func(c *client) { c.send(true, opText, big(maxMessageSize+1)) }},
		{"a message of 65537 bytes in 2 fragments (the limit is for the whole message)", inEcho, func(c *client) { fragmented(c, maxMessageSize+1, 40000) }},
		{"a message of 65537 bytes in 4097 fragments, the last of 1 byte", inEcho, func(c *client) { fragmented(c, maxMessageSize+1, 16) }},
		// Only a header claiming 1 TiB, no payload: the server must refuse
		// it from the header, without waiting for (or allocating) the payload.
		{"a header declaring a 1 TiB frame", "readFrame in frame.go", func(c *client) {
			c.writeRaw(append(binary.BigEndian.AppendUint64([]byte{0x82, 0xFF}, 1<<40), 1, 2, 3, 4))
		}},
	} {
		c := dial(t, ts)
		tc.send(c)
		reason := c.expectClose(closeMessageTooBig, "client sent "+tc.what, tc.where)
		says := strings.Contains(reason, "message") && (strings.Contains(reason, "65536") || strings.Contains(strings.ToLower(reason), "64 kib"))
		assert.True(t, says, "client sent %s: close 1009 with the reason %q; want a reason that says the message is over the limit of 65536 bytes (readFrame's reason knows only the frame, and the limit it was given for it); see echo in echo.go", tc.what, reason)
	}
}

func TestKeepalive(t *testing.T) {
	checkNoLeaks(t)
	const period, wait = 40 * time.Millisecond, 200 * time.Millisecond
	ts := startServer(t, "-ping-period", period.String(), "-pong-wait", wait.String(), "-write-wait", "1s")
	c := dial(t, ts)

	// An idle client is pinged; answering keeps the connection open.
	for i := range 2 {
		f, err := c.next()
		require.NoError(t, err, "client idle for %v with -ping-period %v: want a ping, got none; see nextFrame in echo.go", readTimeout, period)
		require.True(t, f.op == opPing, "client idle with -ping-period %v: got a %s, want a ping; see nextFrame in echo.go", period, f)
		c.send(true, opPong, f.payload)
		if i == 0 {
			c.echoes("after answering a ping")
		}
	}

	// Not answering gets the client dropped.
	f, err := c.next()
	require.NoError(t, err, "want another ping; see nextFrame in echo.go")
	require.True(t, f.op == opPing, "got a %s, want a ping; see nextFrame in echo.go", f)
	start := time.Now()
	c.expectDropped(10*wait, fmt.Sprintf("client did not answer a ping (-pong-wait %v)", wait),
		fmt.Sprintf("the client dropped about %v after the unanswered ping", wait))
	assert.GreaterOrEqual(t, time.Since(start), wait/2, "client dropped before -pong-wait %v passed; see nextFrame in echo.go", wait)
}

func TestStalledFrame(t *testing.T) {
	checkNoLeaks(t)
	const wait = 50 * time.Millisecond
	ts := startServer(t, "-ping-period", "10s", "-pong-wait", wait.String(), "-write-wait", "1s")
	c := dial(t, ts)
	whole := clientFrame(0x81, true, randomKey(), []byte("never finished"))
	c.writeRaw(whole[:5]) // the header and part of the mask, then nothing
	c.expectDropped(20*wait, fmt.Sprintf("client sent half a frame and stalled (-pong-wait %v)", wait),
		fmt.Sprintf("the client dropped about %v after it stalled", wait))

	other := dial(t, ts)
	other.echoes("another client, after one was dropped for stalling")
}

func TestStalledReader(t *testing.T) {
	checkNoLeaks(t)
	// A client that does not read: the connection runs over net.Pipe, which
	// buffers nothing, so every write of the server waits until -write-wait
	// passes, as one does once a real socket's buffers are full.
	const writeWait = 50 * time.Millisecond
	for _, tc := range []struct {
		what       string
		raw        []byte        // what the client sends
		pingPeriod time.Duration // how long the server waits before a ping
	}{
		{"client sent a ping and does not read the pong", clientFrame(0x89, true, randomKey(), []byte("are you there?")), time.Minute},
		{"client sent a text message and does not read the echo", clientFrame(0x81, true, randomKey(), []byte("hello")), time.Minute},
		{"client is silent and does not read the ping", nil, 50 * time.Millisecond},
	} {
		server, peer := net.Pipe()
		t.Cleanup(func() { peer.Close() })
		cfg := config{pingPeriod: tc.pingPeriod, pongWait: time.Minute, writeWait: writeWait, closeWait: time.Second}
		c := newConn(server, bufio.NewReadWriter(bufio.NewReader(server), bufio.NewWriter(server)), cfg, context.Background())
		done := make(chan error, 1)
		go func() { done <- c.echo() }()
		if tc.raw != nil {
			require.NoError(t, peer.SetWriteDeadline(time.Now().Add(readTimeout)))
			_, err := peer.Write(tc.raw)
			require.NoError(t, err, "%s: the server did not read the frame", tc.what)
		}
		select {
		case err := <-done:
			assert.True(t, isTimeout(err), "%s: echo returned %v, want the timeout of the write; see echo and nextFrame in echo.go", tc.what, err)
		case <-time.After(readTimeout):
			require.Failf(t, "peer kept", "%s (-write-wait %v): echo was still running %v later, waiting for a peer it cannot answer; want it to return the write's error; see echo and nextFrame in echo.go: is the error of every c.send returned?", tc.what, writeWait, readTimeout)
		}
		server.Close()
	}
}

func TestShutdown(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)

	// The page is served.
	hc := &http.Client{Timeout: readTimeout, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Get("http://" + ts.addr + "/")
	require.NoError(t, err, "GET /")
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET /: status")
	require.Contains(t, string(page), `id="status"`, "GET / should serve static/index.html")

	// Two WebSocket clients get a 1001 close each.
	clients := []*client{dial(t, ts), dial(t, ts)}
	for _, c := range clients {
		c.echoes("before shutdown")
	}
	start := time.Now()
	ts.cancel() // what SIGINT or SIGTERM does
	const where = "see nextFrame and closeWith in echo.go (serve, in conn.go, calls them)"
	var wg sync.WaitGroup
	for i, c := range clients {
		// Read on this goroutine's client only; the checks run after.
		wg.Go(func() {
			f, err := c.next()
			if err != nil || f.op != opClose || len(f.payload) < 2 {
				t.Errorf("client %d at shutdown: got %v (error %v), want a close frame with code 1001; %s", i, f, err, where)
				return
			}
			if code := binary.BigEndian.Uint16(f.payload); code != closeGoingAway {
				t.Errorf("client %d at shutdown: close code %d, want 1001 (going away); %s", i, code, where)
			}
			// Answer the close and wait for the server to close the TCP
			// connection, as a browser does.
			_, _ = c.nc.Write(clientFrame(0x88, true, randomKey(), f.payload[:2]))
			_ = c.nc.SetReadDeadline(time.Now().Add(readTimeout))
			_, _ = io.Copy(io.Discard, c.br)
			c.nc.Close()
		})
	}
	wg.Wait()
	require.NoError(t, ts.shutdownBy(start.Add(2*time.Second)),
		"2s after the shutdown signal, with both clients' close handshakes done; want run returned; %s", where)
	t.Logf("shutdown took %v", time.Since(start).Round(time.Millisecond))
	assert.Contains(t, ts.logs.String(), "shutting down: closing WebSockets with 1001", "the server's log at shutdown (serve.go is given: is it the original?)")
	assert.NotContains(t, ts.logs.String(), "cutting them off", "the server's log: every WebSocket closed in time, none should be cut off; %s", where)

	// And nothing is accepted any more.
	nc, err := net.DialTimeout("tcp", ts.addr, readTimeout)
	if err == nil {
		nc.Close()
		t.Errorf("dial %s after shutdown succeeded, want the listener closed", ts.addr)
	}
}
