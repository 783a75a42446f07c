package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// rfcKey and rfcAccept are the example of RFC 6455 section 1.3.
const (
	rfcKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	rfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

// testFlags keep keepalive out of the way (tests of keepalive shorten it) and
// every wait short.
var testFlags = []string{"-ping-period", "10s", "-pong-wait", "1s", "-write-wait", "1s"}

// request is an HTTP request written by hand, so that tests control every
// header byte.
type request struct {
	method  string
	proto   string   // "HTTP/1.1" when empty
	headers []string // "Name: value" lines, in order
}

// validRequest is the opening handshake of RFC 6455 section 1.2.
func validRequest() request {
	return request{method: "GET", headers: []string{
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Key: " + rfcKey,
		"Sec-WebSocket-Version: 13",
	}}
}

// with returns a copy of r where header name has value (appended if new); an
// empty value removes the header.
func (r request) with(name, value string) request {
	var hs []string
	found := false
	for _, h := range r.headers {
		n, _, _ := strings.Cut(h, ":")
		if strings.EqualFold(n, name) {
			found = true
			if value != "" {
				hs = append(hs, name+": "+value)
			}
			continue
		}
		hs = append(hs, h)
	}
	if !found && value != "" {
		hs = append(hs, name+": "+value)
	}
	r.headers = hs
	return r
}

// also returns a copy of r with one more header line, name: value, after
// any it has of that name.
func (r request) also(name, value string) request {
	r.headers = append(append([]string{}, r.headers...), name+": "+value)
	return r
}

func (r request) withMethod(m string) request { r.method = m; return r }

func (r request) withProto(p string) request { r.proto = p; return r }

// String describes r in failure messages.
func (r request) String() string {
	s := r.method + " /ws"
	if r.proto != "" {
		s += " " + r.proto
	}
	return s + " with " + strings.Join(r.headers, ", ")
}

func (r request) protocol() string {
	if r.proto == "" {
		return "HTTP/1.1"
	}
	return r.proto
}

// send dials the server, writes r and reads the response head. The returned
// reader goes on with what follows the head.
func (r request) send(t *testing.T, addr string) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	return r.sendThen(t, addr, nil)
}

// sendThen is send with more bytes after the request, in the same write, as
// a client that sends its first frame without waiting for the 101 does.
func (r request) sendThen(t *testing.T, addr string, after []byte) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err, "dial the test server")
	t.Cleanup(func() { nc.Close() })
	var b strings.Builder
	fmt.Fprintf(&b, "%s /ws %s\r\n", r.method, r.protocol())
	if !hasHeader(r.headers, "Host") {
		fmt.Fprintf(&b, "Host: %s\r\n", addr)
	}
	for _, h := range r.headers {
		fmt.Fprintf(&b, "%s\r\n", h)
	}
	b.WriteString("\r\n")
	b.Write(after)
	raw := b.String()
	require.NoError(t, nc.SetDeadline(time.Now().Add(readTimeout)))
	_, err = io.WriteString(nc, raw)
	require.NoError(t, err, "write the handshake request")
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if isTimeout(err) {
		name := t.Name()
		unanswered.CompareAndSwap(nil, &name)
	}
	require.NoError(t, err, "%s: no HTTP response within %v; see upgrade in handshake.go (is the 101 flushed?)", r, readTimeout)
	require.NoError(t, nc.SetDeadline(time.Time{}))
	return resp, nc, br
}

// sendValid is send for a handshake that must get its 101. Once one has got
// no answer at all, the rest fail at once rather than wait as long again.
func (r request) sendValid(t *testing.T, addr string) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	return r.sendValidThen(t, addr, nil)
}

// sendValidThen is sendValid with more bytes after the request, in the same
// write.
func (r request) sendValidThen(t *testing.T, addr string, after []byte) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	if first := unanswered.Load(); first != nil {
		require.FailNow(t, "no HTTP response", "%s: not tried: in %s a valid handshake got no HTTP response within %v, and every test after it would wait as long; see upgrade in handshake.go (is the 101 flushed?)", r, *first, readTimeout)
	}
	return r.sendThen(t, addr, after)
}

// unanswered names the first test whose handshake got no response in time:
// later tests fail at once rather than wait as long again.
var unanswered atomic.Pointer[string]

func hasHeader(lines []string, name string) bool {
	for _, h := range lines {
		n, _, _ := strings.Cut(h, ":")
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// client is the test's side of a WebSocket connection, speaking raw frames.
type client struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

// dial opens a WebSocket connection to ts, failing the test unless the
// handshake succeeds.
func dial(t *testing.T, ts *testServer) *client {
	t.Helper()
	return dialThen(t, ts, nil)
}

// dialThen is dial with bytes sent after the request in the same write.
func dialThen(t *testing.T, ts *testServer, after []byte) *client {
	t.Helper()
	resp, nc, br := validRequest().sendValidThen(t, ts.addr, after)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode,
		"valid handshake: status = %s, want 101 Switching Protocols; see upgrade in handshake.go", resp.Status)
	return &client{t: t, nc: nc, br: br}
}

// clientFrame encodes a frame the way a client sends it. head is the first
// byte (FIN, RSV, opcode); masked sets the MASK bit and masks the payload
// with key.
func clientFrame(head byte, masked bool, key [4]byte, payload []byte) []byte {
	var b []byte
	b = append(b, head)
	var m byte
	if masked {
		m = 0x80
	}
	switch n := len(payload); {
	case n <= 125:
		b = append(b, m|byte(n))
	case n <= 0xFFFF:
		b = append(b, m|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if !masked {
		return append(b, payload...)
	}
	b = append(b, key[:]...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

// head builds the first byte of a frame.
func head(fin bool, op opcode) byte {
	b := byte(op)
	if fin {
		b |= 0x80
	}
	return b
}

// randomKey returns a masking key, as a client must pick one per frame.
func randomKey() [4]byte {
	var k [4]byte
	_, _ = rand.Read(k[:])
	return k
}

// writeRaw sends bytes as they are.
func (c *client) writeRaw(b []byte) {
	c.t.Helper()
	require.NoError(c.t, c.nc.SetWriteDeadline(time.Now().Add(readTimeout)))
	_, err := c.nc.Write(b)
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		require.Failf(c.t, "connection reset", "write to the server: the server reset the TCP connection (RST) while the client was still sending: closing a socket with unread data resets it, and a reset can destroy the close frame before the peer reads it; see closeWith in echo.go: after the close frame, c.finish drains and closes")
	}
	require.NoError(c.t, err, "write to the server")
}

// send sends one masked frame.
func (c *client) send(fin bool, op opcode, payload []byte) {
	c.t.Helper()
	c.writeRaw(clientFrame(head(fin, op), true, randomKey(), payload))
}

// serverFrame is a frame as the server sent it, with how its length was
// written (7, 16 or 64 bits).
type serverFrame struct {
	fin     bool
	rsv     byte
	op      opcode
	masked  bool
	lenBits int
	payload []byte
}

func (f serverFrame) String() string {
	if f.op == opClose && len(f.payload) >= 2 {
		return fmt.Sprintf("close frame with code %d and reason %q", binary.BigEndian.Uint16(f.payload), f.payload[2:])
	}
	return fmt.Sprintf("%s frame (fin=%v) of %d bytes%s", f.op, f.fin, len(f.payload), preview(f.payload))
}

func preview(p []byte) string {
	if len(p) > 32 {
		return ""
	}
	return fmt.Sprintf(" %q", p)
}

// firstDiff describes where two byte slices of the same length first differ.
func firstDiff(got, want []byte) string {
	for i := range want {
		if got[i] != want[i] {
			return fmt.Sprintf("byte %d is 0x%02x, want 0x%02x", i, got[i], want[i])
		}
	}
	return "no difference"
}

// codeList shows the close codes a test accepts: "1002" or "1002 or 1009".
func codeList(codes []uint16) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = fmt.Sprint(c)
	}
	return strings.Join(s, " or ")
}

// next reads one frame from the server within readTimeout.
func (c *client) next() (serverFrame, error) { return c.nextBy(time.Now().Add(readTimeout)) }

// nextBy reads one frame from the server before deadline.
func (c *client) nextBy(deadline time.Time) (serverFrame, error) {
	if err := c.nc.SetReadDeadline(deadline); err != nil {
		return serverFrame{}, err
	}
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		return serverFrame{}, err
	}
	f := serverFrame{fin: h[0]&0x80 != 0, rsv: h[0] & 0x70, op: opcode(h[0] & 0x0F), masked: h[1]&0x80 != 0, lenBits: 7}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var e [2]byte
		if _, err := io.ReadFull(c.br, e[:]); err != nil {
			return f, err
		}
		n, f.lenBits = uint64(binary.BigEndian.Uint16(e[:])), 16
	case 127:
		var e [8]byte
		if _, err := io.ReadFull(c.br, e[:]); err != nil {
			return f, err
		}
		n, f.lenBits = binary.BigEndian.Uint64(e[:]), 64
	}
	if n > 1<<20 {
		return f, fmt.Errorf("server frame claims %d bytes", n)
	}
	if f.masked {
		var k [4]byte
		if _, err := io.ReadFull(c.br, k[:]); err != nil {
			return f, err
		}
	}
	f.payload = make([]byte, n)
	_, err := io.ReadFull(c.br, f.payload)
	return f, err
}

// expectFrame reads the next frame and checks it is a well-formed server
// frame with opcode op and the given payload.
func (c *client) expectFrame(op opcode, payload []byte, what, where string) serverFrame {
	c.t.Helper()
	f, err := c.next()
	require.NoError(c.t, err, "%s: no frame from the server: %v; see %s", what, err, where)
	require.False(c.t, f.masked, "%s: server frame has the MASK bit set; a server must never mask (RFC 6455 section 5.1); see writeFrame in frame.go", what)
	require.Zero(c.t, f.rsv, "%s: server frame has RSV bits 0x%02X set; see writeFrame in frame.go", what, f.rsv)
	if f.op == opClose && op != opClose {
		require.Failf(c.t, "closed instead", "%s: the server closed the connection (%s) instead of answering with a %s frame of %d bytes: was the frame read right (its length, its opcode, the limit)? see %s", what, f, op, len(payload), where)
	}
	require.True(c.t, op == f.op, "%s: got a %s, want a %s frame; see %s", what, f, op, where)
	if op.isControl() {
		require.True(c.t, f.fin, "%s: got a %s without FIN; see writeFrame in frame.go", what, f)
	} else {
		require.True(c.t, f.fin, "%s: got a %s without FIN: an echo is one whole message; join the fragments before echoing; see echo in echo.go", what, f)
	}
	if !bytes.Equal(f.payload, payload) {
		require.Failf(c.t, "wrong payload", "%s: got a %s, want %d bytes%s; see %s", what, f, len(payload), preview(payload), where)
	}
	return f
}

// expectClose reads the next frame, which must be a close with code, and
// then the orderly end of the TCP connection. It returns the close reason.
func (c *client) expectClose(code uint16, what, where string) string {
	c.t.Helper()
	f, err := c.next()
	require.NoError(c.t, err, "%s: want a close frame with code %d, got no frame; see %s", what, code, where)
	require.True(c.t, f.op == opClose, "%s: got a %s, want a close frame with code %d; see %s", what, f, code, where)
	require.True(c.t, len(f.payload) >= 2, "%s: the close frame has a %d-byte body, want the 2-byte code %d first; see closeWith in echo.go", what, len(f.payload), code)
	got := binary.BigEndian.Uint16(f.payload)
	require.Equal(c.t, code, got, "%s: close code (reason %q); see %s", what, f.payload[2:], where)
	c.expectFIN(what + ", after the close frame")
	return string(f.payload[2:])
}

// expectFIN checks that the server ends the TCP connection in order (FIN),
// sending nothing more, as RFC 6455 section 7.1.1 asks after a close frame.
func (c *client) expectFIN(what string) {
	c.t.Helper()
	f, err := c.next()
	switch {
	case err == nil:
		require.Failf(c.t, "frame after close", "%s: got a %s; want nothing more, then the TCP connection closed; see closeWith in echo.go", what, f)
	case errors.Is(err, io.EOF):
		return
	case isTimeout(err):
		require.Failf(c.t, "connection left open", "%s: the TCP connection was still open %v later; want the server to close it; see closeWith in echo.go (c.finish)", what, readTimeout)
	case errors.Is(err, syscall.ECONNRESET):
		require.Failf(c.t, "connection reset", "%s: the server reset the TCP connection (RST) instead of closing it (FIN): closing a socket with unread data resets it, and a reset can destroy the close frame before the peer reads it; see closeWith in echo.go: after the close frame, c.finish drains and closes", what)
	default:
		require.Failf(c.t, "connection not closed", "%s: read %v; want the TCP connection closed (EOF); see closeWith in echo.go", what, err)
	}
}

// expectDropped checks that the server closes the TCP connection, by FIN or
// reset, within d. Pings and a close frame may come first.
func (c *client) expectDropped(d time.Duration, what, want string) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		f, err := c.nextBy(deadline)
		if err == nil && (f.op == opPing || f.op == opClose) {
			continue
		}
		switch {
		case err == nil:
			require.Failf(c.t, "not dropped", "%s: got a %s; want %s; see nextFrame in echo.go", what, f, want)
		case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
			return
		case isTimeout(err):
			require.Failf(c.t, "not dropped", "%s: the connection was still open %v later; want %s; see nextFrame in echo.go", what, d, want)
		default:
			require.Failf(c.t, "not dropped", "%s: read %v; want %s; see nextFrame in echo.go", what, err, want)
		}
	}
}

// echoes checks that the connection still echoes a text message.
func (c *client) echoes(what string) {
	c.t.Helper()
	c.send(true, opText, []byte("still there?"))
	c.expectFrame(opText, []byte("still there?"), what, "echo in echo.go")
}
