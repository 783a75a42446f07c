package proxy

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"wscourse/tools/internal/syncbuf"
	"wscourse/tools/internal/wsframe/wsframetest"
)

// timeout bounds every wait of these tests.
const timeout = 10 * time.Second

// traceOut is a trace being written while a test waits on it.
type traceOut struct{ *syncbuf.Buffer }

func newTraceOut() *traceOut { return &traceOut{syncbuf.New()} }

// waitFor waits until the trace holds every one of want, in this order.
func (o *traceOut) waitFor(t *testing.T, want ...string) {
	t.Helper()
	if !o.WaitUntil(timeout, func(trace string) bool { return inOrder(trace, want) }) {
		t.Fatalf("the trace lacks, in this order:\n  %s\ntrace:\n%s", strings.Join(want, "\n  "), o.String())
	}
}

func inOrder(s string, want []string) bool {
	for _, w := range want {
		i := strings.Index(s, w)
		if i < 0 {
			return false
		}
		s = s[i+len(w):]
	}
	return true
}

// startProxy runs a proxy to server and returns it and its address.
func startProxy(t *testing.T, server string, f Faults) (*Proxy, string, *traceOut) {
	t.Helper()
	out := newTraceOut()
	p := New(Config{Server: server, Out: out, Faults: f})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- p.Serve(ln) }()
	t.Cleanup(func() {
		p.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if t.Failed() {
			t.Logf("trace:\n%s", out)
		}
	})
	return p, ln.Addr().String(), out
}

// tcpServer accepts connections and hands each to the test.
func tcpServer(t *testing.T) (string, <-chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	return ln.Addr().String(), conns
}

// serverConn waits for the server's next connection.
func serverConn(t *testing.T, conns <-chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-conns:
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(timeout))
		return c
	case <-time.After(timeout):
		t.Fatal("the server got no connection through the proxy")
		return nil
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(timeout))
	return c
}

// upgradeRequest is a browser's opening handshake, shortened.
const upgradeRequest = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

const upgradeResponse = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"

// handshake opens a WebSocket through the proxy at addr to the server that
// conns delivers, exchanging the handshake by hand, and returns both ends.
func handshake(t *testing.T, addr string, conns <-chan net.Conn) (client, server *wsEnd) {
	t.Helper()
	c := dial(t, addr)
	write(t, c, upgradeRequest)
	s := serverConn(t, conns)
	sr := bufio.NewReader(s)
	req, err := http.ReadRequest(sr)
	if err != nil {
		t.Fatalf("the server read no request: %v", err)
	}
	if req.Header.Get("Upgrade") != "websocket" {
		t.Fatalf("the server got %v, want the upgrade request unchanged", req.Header)
	}
	write(t, s, upgradeResponse)
	cr := bufio.NewReader(c)
	resp, err := http.ReadResponse(cr, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("the client read %v, %v; want the 101", resp, err)
	}
	return &wsEnd{t, c, cr, true}, &wsEnd{t, s, sr, false}
}

// wsEnd is one end of a WebSocket connection, speaking frames by hand.
type wsEnd struct {
	t      *testing.T
	nc     net.Conn
	br     *bufio.Reader
	client bool // masks what it sends
}

func (e *wsEnd) send(head byte, payload []byte) {
	e.t.Helper()
	write(e.t, e.nc, string(frame(head, e.client, payload)))
}

// recv reads one frame and returns its first byte and payload.
func (e *wsEnd) recv() (byte, []byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(e.br, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(e.br, b[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(e.br, b[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	var key [4]byte
	if h[1]&0x80 != 0 {
		if _, err := io.ReadFull(e.br, key[:]); err != nil {
			return 0, nil, err
		}
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(e.br, p); err != nil {
		return 0, nil, err
	}
	if h[1]&0x80 != 0 {
		for i := range p {
			p[i] ^= key[i%4]
		}
	}
	return h[0], p, nil
}

// frame encodes a frame; masked frames use a fixed key.
func frame(head byte, masked bool, payload []byte) []byte {
	return wsframetest.Frame(head, masked, [4]byte{1, 2, 3, 4}, payload)
}

func closeBody(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

func write(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatalf("write: %v", err)
	}
}
