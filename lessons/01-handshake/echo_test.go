package main

import (
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEchoMessages(t *testing.T) {
	ts := startServer(t, testConfig)
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
		assert.Equal(t, tc.lenBits, f.lenBits, "echo of a %s message: length written in %d bits, want %d (the shortest form); see writeFrame in frame.go", tc.name, f.lenBits, tc.lenBits)
	}
}

func TestFragmentedMessage(t *testing.T) {
	ts := startServer(t, testConfig)
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

func TestPingPong(t *testing.T) {
	ts := startServer(t, testConfig)
	c := dial(t, ts)
	for _, payload := range [][]byte{[]byte("are you there?"), {}, bytes.Repeat([]byte("p"), 125)} {
		c.send(true, opPing, payload)
		c.expectFrame(opPong, payload, fmt.Sprintf("ping of %d bytes", len(payload)), "echo in echo.go")
	}
	c.send(true, opPong, []byte("unsolicited"))
	c.echoes("after an unsolicited pong, which must be ignored")
}

func TestCloseHandshake(t *testing.T) {
	ts := startServer(t, testConfig)
	for _, code := range []uint16{1000, 1001, 1003, 3000, 4999} {
		c := dial(t, ts)
		c.send(true, opClose, append(binary.BigEndian.AppendUint16(nil, code), "bye"...))
		c.expectClose(code, fmt.Sprintf("client sent close %d", code), "echo and closeWith in echo.go")
	}

	// An empty close carries no code: answer with an empty close or 1000.
	c := dial(t, ts)
	c.send(true, opClose, nil)
	f, err := c.next()
	require.NoError(t, err, "client sent an empty close: want a close frame back; see echo in echo.go")
	require.Equal(t, opClose, f.op, "client sent an empty close: got a %s, want a close frame; see echo in echo.go", f)
	if len(f.payload) > 0 {
		require.GreaterOrEqual(t, len(f.payload), 2, "client sent an empty close: the answer's body is 1 byte; see closeWith in echo.go")
		require.Equal(t, uint16(closeNormal), binary.BigEndian.Uint16(f.payload),
			"client sent an empty close: answer has code %d, want an empty body or 1000; see closeWith in echo.go", binary.BigEndian.Uint16(f.payload))
	}
	c.expectEOF("client sent an empty close, after the close frame")
}

func TestProtocolErrors(t *testing.T) {
	ts := startServer(t, testConfig)
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
		{"a fragmented ping", inFrame, [][]byte{clientFrame(0x09, true, key, []byte("a")), clientFrame(0x80, true, key, []byte("b"))}},
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
	for _, tc := range cases {
		c := dial(t, ts)
		for _, b := range tc.raw {
			c.writeRaw(b)
		}
		c.expectClose(closeProtocolError, "client sent "+tc.name, tc.where)
	}
	bystander.echoes("another client, after the protocol errors of others")
	dial(t, ts).echoes("a new client, after the protocol errors of others")
}

func TestInvalidUTF8(t *testing.T) {
	ts := startServer(t, testConfig)

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
}

func TestMessageTooBig(t *testing.T) {
	ts := startServer(t, testConfig)
	big := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }

	c := dial(t, ts)
	c.send(true, opText, big(maxMessageSize))
	c.expectFrame(opText, big(maxMessageSize), "text message of exactly 65536 bytes", "echo in echo.go")
	c.send(false, opBinary, big(40000))
	c.send(true, opContinuation, big(maxMessageSize-40000))
	c.expectFrame(opBinary, big(maxMessageSize), "message of 65536 bytes in 2 fragments", "echo in echo.go")

	c = dial(t, ts)
	c.send(true, opText, big(maxMessageSize+1))
	c.expectClose(closeMessageTooBig, "client sent a text message of 65537 bytes", "readFrame in frame.go and echo in echo.go")

	c = dial(t, ts)
	c.send(false, opBinary, big(40000))
	c.send(true, opContinuation, big(maxMessageSize+1-40000))
	c.expectClose(closeMessageTooBig, "client sent a message of 65537 bytes in 2 fragments (the limit is for the whole message)", "echo in echo.go")

	// Only a header claiming 1 TiB, no payload: the server must refuse it
	// from the header, without waiting for (or allocating) the payload.
	c = dial(t, ts)
	c.writeRaw(append(binary.BigEndian.AppendUint64([]byte{0x82, 0xFF}, 1<<40), 1, 2, 3, 4))
	c.expectClose(closeMessageTooBig, "client sent a header declaring a 1 TiB frame", "readFrame in frame.go")
}

func TestKeepalive(t *testing.T) {
	cfg := testConfig
	cfg.pingPeriod, cfg.pongWait = 40*time.Millisecond, 200*time.Millisecond
	ts := startServer(t, cfg)
	c := dial(t, ts)

	// An idle client is pinged; answering keeps the connection open.
	for i := range 2 {
		f, err := c.next()
		require.NoError(t, err, "client idle for %v with -ping-period %v: want a ping, got none; see nextFrame in echo.go", readWait, cfg.pingPeriod)
		require.Equal(t, opPing, f.op, "client idle with -ping-period %v: got a %s, want a ping; see nextFrame in echo.go", cfg.pingPeriod, f)
		c.send(true, opPong, f.payload)
		if i == 0 {
			c.echoes("after answering a ping")
		}
	}

	// Not answering gets the client dropped.
	f, err := c.next()
	require.NoError(t, err, "want another ping; see nextFrame in echo.go")
	require.Equal(t, opPing, f.op, "got a %s, want a ping; see nextFrame in echo.go", f)
	start := time.Now()
	c.expectEOF(fmt.Sprintf("client did not answer a ping (-pong-wait %v)", cfg.pongWait))
	assert.GreaterOrEqual(t, time.Since(start), cfg.pongWait/2, "client dropped before -pong-wait %v passed; see nextFrame in echo.go", cfg.pongWait)
}

func TestStalledFrame(t *testing.T) {
	cfg := testConfig
	cfg.pongWait = 50 * time.Millisecond
	ts := startServer(t, cfg)
	c := dial(t, ts)
	whole := clientFrame(0x81, true, randomKey(), []byte("never finished"))
	c.writeRaw(whole[:5]) // the header and part of the mask, then nothing
	c.expectEOF(fmt.Sprintf("client sent half a frame and stalled (-pong-wait %v, -ping-period %v)", cfg.pongWait, cfg.pingPeriod))

	other := dial(t, ts)
	other.echoes("another client, after one was dropped for stalling")
}

// lines collects what run prints, line by line.
type lines chan string

func (l lines) Write(p []byte) (int, error) {
	for _, s := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l <- s
	}
	return len(p), nil
}

func TestShutdown(t *testing.T) {
	checkNoLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := make(lines, 10), make(lines, 100)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-ping-period", "10s", "-pong-wait", "2s", "-write-wait", "1s"}, out, errOut)
	}()

	var addr string
	select {
	case line := <-out:
		var ok bool
		addr, ok = strings.CutPrefix(line, "listening on http://")
		require.True(t, ok, "run printed %q, want \"listening on http://ADDR\"", line)
	case err := <-done:
		require.FailNow(t, "server ended early", "run returned %v before listening", err)
	case <-time.After(2 * time.Second):
		require.FailNow(t, "no listening line", "run did not print \"listening on http://ADDR\" within 2s")
	}

	// The page is served.
	hc := &http.Client{Timeout: readWait, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Get("http://" + addr + "/")
	require.NoError(t, err, "GET /")
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET /: status %s", resp.Status)
	require.Contains(t, string(page), `id="status"`, "GET / should serve static/index.html")

	// Two WebSocket clients get a 1001 close each.
	var clients []*client
	for range 2 {
		resp, nc, br := validRequest().send(t, addr)
		require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode, "handshake: status %s, want 101; see upgrade in handshake.go", resp.Status)
		c := &client{t: t, nc: nc, br: br}
		c.echoes("before shutdown")
		clients = append(clients, c)
	}
	start := time.Now()
	cancel() // what SIGINT or SIGTERM does
	var wg sync.WaitGroup
	for i, c := range clients {
		// Read on this goroutine's client only; the checks run after.
		wg.Go(func() {
			f, err := c.next()
			if err != nil || f.op != opClose || len(f.payload) < 2 {
				t.Errorf("client %d at shutdown: got %v (error %v), want a close frame with code 1001; see nextFrame and closeWith in echo.go (serve, in conn.go, calls them)", i, f, err)
				return
			}
			if code := binary.BigEndian.Uint16(f.payload); code != closeGoingAway {
				t.Errorf("client %d at shutdown: close code %d, want 1001 (going away); see nextFrame and closeWith in echo.go (serve, in conn.go, calls them)", i, code)
			}
			// Answer the close and wait for the server to close the TCP
			// connection, as a browser does.
			_, _ = c.nc.Write(clientFrame(0x88, true, randomKey(), f.payload[:2]))
			_ = c.nc.SetReadDeadline(time.Now().Add(readWait))
			_, _ = io.Copy(io.Discard, c.br)
			c.nc.Close()
		})
	}
	wg.Wait()
	select {
	case err := <-done:
		require.NoError(t, err, "run returned an error on shutdown")
	case <-time.After(5 * time.Second):
		require.FailNow(t, "shutdown too slow", "run did not return within 5s of the shutdown signal; see nextFrame and closeWith in echo.go (serve, in conn.go, calls them)")
	}
	t.Logf("shutdown took %v", time.Since(start).Round(time.Millisecond))

	// The operator is told why clients are going away.
	said := false
	for len(errOut) > 0 {
		said = said || strings.Contains(<-errOut, "shutting down: closing WebSockets with 1001")
	}
	assert.True(t, said, "run printed no \"shutting down: closing WebSockets with 1001\" line to stderr (main.go is given: is it the original?)")

	// And nothing is accepted any more.
	nc, err := net.DialTimeout("tcp", addr, readWait)
	if err == nil {
		nc.Close()
		t.Errorf("dial %s after shutdown succeeded, want the listener closed", addr)
	}
}
