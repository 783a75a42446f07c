package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// endpoint is one of the two WebSocket endpoints under test.
type endpoint struct {
	name    string // "gorilla"
	path    string // "/ws"
	file    string // where its code lives: "gorilla.go"
	handler string // the handler's name: "serveGorilla"
	// dialOther connects with the other library's client, so that what the
	// tests see does not depend on the library under test.
	dialOther func(tb testing.TB, ts *testServer, path string) client
	// closeHow says how the handler closes its connection on every way out.
	closeHow string
	// keptAlive says what keeps a peer that answers every ping.
	keptAlive string
}

var (
	gorillaEndpoint = endpoint{name: "gorilla", path: "/ws", file: "gorilla.go (serveGorilla)", handler: "serveGorilla", dialOther: dialCoder,
		closeHow:  "defer ws.Close() right after Upgrade",
		keptAlive: "a pong must keep the peer alive: does a pong handler move the read deadline on?"}
	coderEndpoint = endpoint{name: "coder", path: "/ws/coder", file: "coder.go (serveCoder)", handler: "serveCoder", dialOther: dialGorilla,
		closeHow: "defer c.CloseNow() right after Accept",
		keptAlive: "coder/websocket reads the pongs itself and Ping returns when its pong comes, so the pongs were not what failed. " +
			"A read whose context ends closes the connection, without a close frame, pings or not: does Reader get a context with a timeout, which no pong can move on?"}
)

// ---- the server's goroutines ----

// stacks is the buffer handlerRunning reads every goroutine's stack into,
// kept between calls: polling must not allocate, or it would bring on the
// garbage collector, which closes sockets nobody holds any more.
var stacks = make([]byte, 1<<20)

// handlerRunning reports whether some goroutine is inside ep's handler.
func handlerRunning(ep endpoint) bool {
	for {
		n := runtime.Stack(stacks, true)
		if n < len(stacks) {
			return bytes.Contains(stacks[:n], []byte(".(*server)."+ep.handler+"("))
		}
		stacks = make([]byte, 2*len(stacks))
	}
}

// noGC keeps the garbage collector from running until the returned func is
// called. A socket nobody holds is closed when the collector finds it, at
// some moment of its choosing: a test that checks that the handler closed
// its connection must not take the collector's close for the handler's.
func noGC() (restore func()) {
	old := debug.SetGCPercent(-1)
	return func() { debug.SetGCPercent(old) }
}

// handlerGoroutines lists the goroutines inside ep's handler or started by
// it, each by the function at the top of its stack.
func handlerGoroutines(ep endpoint) []string {
	var found []string
	for _, g := range goroutines() {
		// Frames read "wscourse/lessons/02-echo.(*server).serveGorilla(...)".
		if strings.Contains(g.stack, ".(*server)."+ep.handler+"(") || strings.Contains(g.stack, ".(*server)."+ep.handler+" in goroutine") {
			lines := strings.SplitN(g.stack, "\n", 3)
			top := g.stack
			if len(lines) > 1 {
				top = strings.TrimSpace(lines[0]) + " " + lines[1]
			}
			found = append(found, top)
		}
	}
	return found
}

// leftOpen holds, per endpoint path, the name of the first test in which
// the handler returned and left its TCP connection open. The tests after it
// that wait for the server to close a connection fail at once instead of
// waiting as long again.
var leftOpen sync.Map

// notClosed says what is wrong with a connection whose handler has returned
// without closing it, found in test, as seen from the test now running.
func notClosed(ep endpoint, test, now string) error {
	what := fmt.Sprintf("the connection was not closed: %s's handler has returned, but the TCP connection is still open and nothing else will close it; "+
		"every way out of the handler must close the connection: %s", ep.handler, ep.closeHow)
	if test != now {
		what = fmt.Sprintf("not tried: in %s, %s. Every test after that one would wait %v for a connection to close", test, what, readTimeout)
	}
	return errors.New(what)
}

// checkLeftOpen fails tb at once when an earlier test found that ep's
// handler leaves connections open: tb would only wait to find it again.
func checkLeftOpen(tb testing.TB, ep endpoint) {
	tb.Helper()
	if first, ok := leftOpen.Load(ep.path); ok {
		tb.Fatalf("%s: %v (look at %s)", ep.path, notClosed(ep, first.(string), tb.Name()), ep.file)
	}
}

// ---- frames and events ----

const (
	opCont   byte = 0x0
	opText   byte = 0x1
	opBinary byte = 0x2
	opClose  byte = 0x8
	opPing   byte = 0x9
	opPong   byte = 0xA
)

// event is what a client saw: a whole message or a control frame.
type event struct {
	op     byte
	data   []byte // message or ping/pong payload
	code   int    // close code; 1005 for a close frame without one
	reason string // close reason
}

func text(s string) event         { return event{op: opText, data: []byte(s)} }
func binMsg(b []byte) event       { return event{op: opBinary, data: b} }
func ping(s string) event         { return event{op: opPing, data: []byte(s)} }
func pong(s string) event         { return event{op: opPong, data: []byte(s)} }
func closeWith(code int) event    { return event{op: opClose, code: code} }
func repeat(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

// String describes e briefly: long payloads by their length and checksum.
func (e event) String() string {
	switch e.op {
	case opClose:
		if e.code == 1005 {
			return "close frame without a code"
		}
		return fmt.Sprintf("close %d", e.code)
	case opText:
		return "text " + describe(e.data, true)
	case opBinary:
		return "binary " + describe(e.data, false)
	case opPing:
		return "ping " + describe(e.data, true)
	case opPong:
		return "pong " + describe(e.data, true)
	}
	return fmt.Sprintf("frame with opcode %#x", e.op)
}

func describe(b []byte, quote bool) string {
	if len(b) > 40 {
		return fmt.Sprintf("of %d bytes (crc32 %08x)", len(b), crc32.ChecksumIEEE(b))
	}
	if quote {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("% x (%d bytes)", b, len(b))
}

// sameAs compares the way a test cares: close frames by code only.
func (e event) sameAs(want event) bool {
	if e.op == opClose || want.op == opClose {
		return e.op == want.op && e.code == want.code
	}
	return e.op == want.op && bytes.Equal(e.data, want.data)
}

// frame is one WebSocket frame as a test writes it.
type frame struct {
	fin     bool
	op      byte
	payload []byte
	// Frames RFC 6455 forbids a client to send: claim, when not 0, is the
	// 64-bit length written in the header in place of the payload's;
	// unmasked leaves the payload unmasked.
	claim    uint64
	unmasked bool
}

func (f frame) String() string {
	e := event{op: f.op, data: f.payload}
	if f.op == opClose {
		e.code = 1005
		if len(f.payload) >= 2 {
			e.code = int(binary.BigEndian.Uint16(f.payload))
		}
	}
	if f.op == opCont && f.fin {
		return "final continuation " + describe(f.payload, false)
	}
	if f.op == opCont {
		return "continuation " + describe(f.payload, false)
	}
	if !f.fin {
		return "first fragment of " + e.String()
	}
	switch {
	case f.claim != 0:
		return fmt.Sprintf("%s whose header claims %#x bytes", e, f.claim)
	case f.unmasked:
		return "unmasked " + e.String()
	}
	return e.String()
}

// whole is a frame holding a whole message or control frame.
func whole(e event) frame {
	if e.op == opClose {
		return frame{fin: true, op: opClose, payload: closePayload(e.code, e.reason)}
	}
	return frame{fin: true, op: e.op, payload: e.data}
}

func closePayload(code int, reason string) []byte {
	if code == 1005 {
		return nil
	}
	return binary.BigEndian.AppendUint16(nil, uint16(code)) // reason ignored: codes are what tests check
}

// clientFrame encodes f as a client sends it: masked with key.
func clientFrame(f frame, key [4]byte) []byte {
	var dst []byte
	b0 := f.op
	if f.fin {
		b0 |= 0x80
	}
	var mask byte = 0x80
	if f.unmasked {
		mask, key = 0, [4]byte{}
	}
	n := len(f.payload)
	switch {
	case f.claim != 0:
		dst = append(dst, b0, mask|127)
		dst = binary.BigEndian.AppendUint64(dst, f.claim)
	case n <= 125:
		dst = append(dst, b0, mask|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, b0, mask|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, b0, mask|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if !f.unmasked {
		dst = append(dst, key[:]...)
	}
	start := len(dst)
	dst = append(dst, f.payload...)
	for i := range dst[start:] {
		dst[start+i] ^= key[i%4]
	}
	return dst
}

// ---- clients ----

// client is a WebSocket client as the echo tests use it.
type client interface {
	// send writes f: a library client can only send whole messages.
	send(f frame) error
	// next returns the next message or control frame from the server.
	next() (event, error)
	close()
}

// rawClient speaks WebSocket over a plain TCP connection, frame by frame, so
// that tests can send what no library client would: invalid UTF-8 text,
// oversized messages, fragments with control frames between them.
type rawClient struct {
	conn net.Conn
	br   *bufio.Reader
	ep   endpoint // set by dialRaw
	test string   // the test that dialled
}

// handshake opens a TCP connection to ts and sends an opening handshake for
// path with the given Host and Origin ("" for the defaults: Host is the
// server's address, no Origin). It returns the response; on 101 the client is
// ready, otherwise it is closed.
func handshake(tb testing.TB, ts *testServer, path, host, origin string) (*rawClient, *http.Response) {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", ts.addr, readTimeout)
	require.NoError(tb, err, "connecting to the server")
	conn.SetDeadline(time.Now().Add(readTimeout))

	key := make([]byte, 16)
	rand.Read(key)
	req, err := http.NewRequest(http.MethodGet, "http://"+ts.addr+path, nil)
	require.NoError(tb, err)
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", base64.StdEncoding.EncodeToString(key))
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		tb.Fatalf("GET %s: writing the handshake: %v", path, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		tb.Fatalf("GET %s: reading the handshake response: %v; want an HTTP response within %v", path, err, readTimeout)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		conn.Close()
		return nil, resp
	}
	sum := sha1.Sum([]byte(base64.StdEncoding.EncodeToString(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	require.Equal(tb, base64.StdEncoding.EncodeToString(sum[:]), resp.Header.Get("Sec-WebSocket-Accept"), "Sec-WebSocket-Accept")
	conn.SetDeadline(time.Time{})
	return &rawClient{conn: conn, br: br}, resp
}

// dialRaw opens a raw WebSocket to ep, or fails the test.
func dialRaw(tb testing.TB, ts *testServer, ep endpoint) *rawClient {
	tb.Helper()
	c, resp := handshake(tb, ts, ep.path, "", "")
	if c == nil {
		body, _ := io.ReadAll(resp.Body)
		tb.Fatalf("GET %s: got %s %q; want 101 Switching Protocols (look at %s)", ep.path, resp.Status, strings.TrimSpace(string(body)), ep.file)
	}
	c.ep, c.test = ep, tb.Name()
	tb.Cleanup(c.close)
	return c
}

// requireUpgrade fails the test at once, with one message, when ep does not
// answer a plain opening handshake with 101.
func requireUpgrade(tb testing.TB, ts *testServer, ep endpoint) {
	tb.Helper()
	c := dialRaw(tb, ts, ep)
	c.close()
}

func (c *rawClient) send(f frame) error {
	var key [4]byte
	rand.Read(key[:])
	c.conn.SetWriteDeadline(time.Now().Add(readTimeout))
	_, err := c.conn.Write(clientFrame(f, key))
	return err
}

// readFrame reads one frame within d.
func (c *rawClient) readFrame(d time.Duration) (frame, error) {
	c.conn.SetReadDeadline(time.Now().Add(d))
	var h [8]byte
	if _, err := io.ReadFull(c.br, h[:2]); err != nil {
		return frame{}, err
	}
	f := frame{fin: h[0]&0x80 != 0, op: h[0] & 0x0F}
	if h[0]&0x70 != 0 {
		return frame{}, fmt.Errorf("server frame has RSV bits set (%#x); want none, no extension was agreed", h[0]&0x70)
	}
	if h[1]&0x80 != 0 {
		return frame{}, errors.New("server frame is masked; a server must not mask (RFC 6455 section 5.1)")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		if _, err := io.ReadFull(c.br, h[:2]); err != nil {
			return frame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(h[:2]))
	case 127:
		if _, err := io.ReadFull(c.br, h[:8]); err != nil {
			return frame{}, err
		}
		n = binary.BigEndian.Uint64(h[:8])
	}
	if n > 1<<20 {
		return frame{}, fmt.Errorf("server frame of %d bytes; want at most the %d the client sent", n, maxMessageSize)
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(c.br, f.payload); err != nil {
		return frame{}, err
	}
	return f, nil
}

func (c *rawClient) next() (event, error) {
	var msg *event
	for {
		f, err := c.readFrame(readTimeout)
		if err != nil {
			return event{}, err
		}
		switch f.op {
		case opClose:
			e := event{op: opClose, code: 1005}
			if len(f.payload) >= 2 {
				e.code = int(binary.BigEndian.Uint16(f.payload))
				e.reason = string(f.payload[2:])
			}
			return e, nil
		case opPing, opPong:
			return event{op: f.op, data: f.payload}, nil
		case opText, opBinary:
			if msg != nil {
				return event{}, errors.New("server began a new message inside a fragmented one")
			}
			msg = &event{op: f.op}
		case opCont:
			if msg == nil {
				return event{}, errors.New("server sent a continuation frame with no message to continue")
			}
		default:
			return event{}, fmt.Errorf("server sent unknown opcode %#x", f.op)
		}
		msg.data = append(msg.data, f.payload...)
		if f.fin {
			return *msg, nil
		}
	}
}

// sendOn writes 64 KiB of binary frames, as a client that has not yet seen
// the server's close frame does. It reports a reset: a server that closed
// with bytes unread.
func (c *rawClient) sendOn() error {
	for range 8 {
		err := c.send(whole(binMsg(repeat('m', 8<<10))))
		if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
			return errors.New("the server reset the TCP connection (RST) after its close frame: it closed the socket with bytes still unread, and a reset can destroy the close frame before the peer reads it. After a close frame the server sends, read what the peer still sends until it closes too")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// errLeftOpen ends awaitEnd for a connection the handler left open.
var errLeftOpen = errors.New("left open")

// awaitEnd waits up to d for the server to send a byte or to end the
// connection, and returns nil or why the wait ended: the read's error, or
// errLeftOpen once the endpoint's handler has returned with the
// connection still open. A handler that closes its connection does so before
// it returns, so a FIN would be here by then; the wait polls in short reads.
func (c *rawClient) awaitEnd(d time.Duration) error {
	if _, ok := leftOpen.Load(c.ep.path); ok {
		return errLeftOpen
	}
	defer noGC()()
	deadline := time.Now().Add(d)
	var noHandler time.Time // since when no goroutine has been in the handler
	for {
		poll := time.Now().Add(50 * time.Millisecond)
		if poll.After(deadline) {
			poll = deadline
		}
		c.conn.SetReadDeadline(poll)
		_, err := c.br.Peek(1)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !time.Now().Before(deadline) {
			return err
		}
		switch {
		case c.ep.handler == "" || handlerRunning(c.ep):
			noHandler = time.Time{}
		case noHandler.IsZero():
			noHandler = time.Now()
		case time.Since(noHandler) > 100*time.Millisecond:
			leftOpen.LoadOrStore(c.ep.path, c.test)
			return errLeftOpen
		}
	}
}

// expectClosed checks that the server ends the TCP connection in order
// (FIN), sending nothing more, as RFC 6455 section 7.1.1 asks after the close
// handshake.
func (c *rawClient) expectClosed() error {
	// The server closes TCP first (RFC 6455, 7.1.1): the FIN comes at once,
	// not when s.cfg.closeWait runs out.
	within := defaultConfig.closeWait * 2 / 3
	err := c.awaitEnd(within)
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return fmt.Errorf("no FIN within %v of the close handshake; want it at once, as the server closes TCP first: FIN (CloseWrite) before reading away what the peer still sends, or the peer waits for s.cfg.closeWait", within)
	}
	var f frame
	if err == nil {
		f, err = c.readFrame(readTimeout)
	}
	switch {
	case errors.Is(err, errLeftOpen):
		first, _ := leftOpen.Load(c.ep.path)
		return notClosed(c.ep, first.(string), c.test)
	case err == nil:
		return fmt.Errorf("got %s after the close handshake; want the TCP connection closed", f)
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, syscall.ECONNRESET):
		return errors.New("the server reset the TCP connection (RST) instead of closing it (FIN): closing a socket with unread data resets it, and a reset can destroy the close frame before the peer reads it. After a close frame the server sends, read what the peer still sends until it closes too")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("connection closed in the middle of a frame")
	}
	return fmt.Errorf("%v; want the server to close the TCP connection after the close handshake", err)
}

func (c *rawClient) close() { c.conn.Close() }

// gorillaClient is a gorilla/websocket client, used against /ws/coder.
type gorillaClient struct{ c *gorilla.Conn }

func dialGorilla(tb testing.TB, ts *testServer, path string) client {
	tb.Helper()
	d := gorilla.Dialer{HandshakeTimeout: readTimeout}
	c, resp, err := d.Dial("ws://"+ts.addr+path, nil)
	if err != nil {
		status := "no response"
		if resp != nil {
			status = resp.Status
		}
		tb.Fatalf("gorilla client: dial %s: %v (%s); want 101 Switching Protocols (look at coder.go)", path, err, status)
	}
	gc := &gorillaClient{c: c}
	tb.Cleanup(gc.close)
	return gc
}

func (g *gorillaClient) send(f frame) error {
	g.c.SetWriteDeadline(time.Now().Add(readTimeout))
	return g.c.WriteMessage(int(f.op), f.payload)
}

func (g *gorillaClient) next() (event, error) {
	g.c.SetReadDeadline(time.Now().Add(readTimeout))
	typ, data, err := g.c.ReadMessage()
	var ce *gorilla.CloseError
	if errors.As(err, &ce) {
		return event{op: opClose, code: ce.Code, reason: ce.Text}, nil
	}
	if err != nil {
		return event{}, err
	}
	return event{op: byte(typ), data: data}, nil
}

func (g *gorillaClient) close() { g.c.Close() }

// coderClient is a coder/websocket client, used against /ws.
type coderClient struct{ c *coder.Conn }

func dialCoder(tb testing.TB, ts *testServer, path string) client {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	c, resp, err := coder.Dial(ctx, "ws://"+ts.addr+path, nil)
	if err != nil {
		status := "no response"
		if resp != nil {
			status = resp.Status
		}
		tb.Fatalf("coder client: dial %s: %v (%s); want 101 Switching Protocols (look at gorilla.go)", path, err, status)
	}
	c.SetReadLimit(1 << 20) // the client's own limit must not hide the server's
	cc := &coderClient{c: c}
	tb.Cleanup(cc.close)
	return cc
}

func (k *coderClient) send(f frame) error {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	return k.c.Write(ctx, coder.MessageType(f.op), f.payload)
}

func (k *coderClient) next() (event, error) {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	typ, data, err := k.c.Read(ctx)
	var ce coder.CloseError
	if errors.As(err, &ce) {
		return event{op: opClose, code: int(ce.Code), reason: ce.Reason}, nil
	}
	if err != nil {
		return event{}, err
	}
	return event{op: byte(typ), data: data}, nil
}

func (k *coderClient) close() { k.c.CloseNow() }
