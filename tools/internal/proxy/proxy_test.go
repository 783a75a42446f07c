package proxy

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWebSocketTrace runs a conversation through the proxy: the handshake,
// a message each way, a ping, a fragmented message and the close handshake.
// Every byte arrives unchanged and the trace shows each frame.
func TestWebSocketTrace(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	_, addr, out := startProxy(t, server, Faults{})
	client, srv := handshake(t, addr, conns)

	client.send(0x81, []byte("hello"))
	if head, p, err := srv.recv(); err != nil || head != 0x81 || string(p) != "hello" {
		t.Fatalf("the server got %#x %q, %v; want the text \"hello\" unchanged", head, p, err)
	}
	srv.send(0x81, []byte("hello"))
	srv.send(0x89, []byte("are you there"))
	client.send(0x01, []byte("Hel"))
	client.send(0x80, []byte("lo"))
	big := bytes.Repeat([]byte{0xAB}, 70000)
	srv.send(0x82, big)
	for _, want := range []string{"Hel", "lo"} {
		if _, p, err := srv.recv(); err != nil || string(p) != want {
			t.Fatalf("the server got %q, %v; want the fragment %q", p, err, want)
		}
	}
	for _, want := range []string{"hello", "are you there"} {
		if _, p, err := client.recv(); err != nil || string(p) != want {
			t.Fatalf("the client got %q, %v; want %q", p, err, want)
		}
	}
	if _, p, err := client.recv(); err != nil || !bytes.Equal(p, big) {
		t.Fatalf("the client got %d bytes, %v; want the 70000-byte binary unchanged", len(p), err)
	}
	client.send(0x88, closeBody(1000, "bye"))
	if head, _, err := srv.recv(); err != nil || head != 0x88 {
		t.Fatalf("the server got %#x, %v; want the client's close frame", head, err)
	}
	srv.send(0x88, closeBody(1000, "bye"))
	srv.nc.Close()
	if _, _, err := client.recv(); err != nil {
		t.Fatalf("the client got no close frame: %v", err)
	}
	if _, _, err := client.recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the close frame the client read %v, want EOF: the server's FIN passed on", err)
	}
	client.nc.Close()

	out.waitFor(t,
		"#1 ", "client 127.0.0.1:",
		"client→server  GET /ws HTTP/1.1  head 150 B", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
		"server→client  HTTP/1.1 101 Switching Protocols  head 129 B", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
		`client→server  text    FIN   masked    5 B  "hello"`,
		`client→server  text    more  masked    3 B  "Hel"`,
		`client→server  cont    FIN   masked    2 B  "lo"`,
		`client→server  close   FIN   masked    2+3 B  1000 "bye"`,
		"server closed (FIN)",
		"client closed (FIN)",
	)
	out.waitFor(t,
		"server→client  HTTP/1.1 101 Switching Protocols",
		`server→client  text    FIN   unmasked  5 B  "hello"`,
		`server→client  ping    FIN   unmasked  13 B  "are you there"`,
		`server→client  binary  FIN   unmasked  70000 B  ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ...`,
		`server→client  close   FIN   unmasked  2+3 B  1000 "bye"`,
		"server closed (FIN)",
	)
}

// TestUndecodable sends bytes that are not HTTP: they pass unchanged both
// ways, and the trace says once that it cannot decode them.
func TestUndecodable(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	_, addr, out := startProxy(t, server, Faults{})
	c := dial(t, addr)
	junk := make([]byte, 1<<20)
	rand.Read(junk)
	copy(junk, "\x16\x03\x01 not HTTP\r\n\r\n") // a TLS hello's start, where plain HTTP was due
	go c.Write(junk)
	s := serverConn(t, conns)
	got := make([]byte, len(junk))
	if _, err := io.ReadFull(s, got); err != nil || !bytes.Equal(got, junk) {
		t.Fatalf("the server got %v; want the 1 MiB unchanged", err)
	}
	write(t, s, "\x00\xff garbage back\r\n\r\nmore")
	back := make([]byte, 23)
	if _, err := io.ReadFull(c, back); err != nil || string(back) != "\x00\xff garbage back\r\n\r\nmore" {
		t.Fatalf("the client got %q, %v", back, err)
	}
	out.waitFor(t, `client→server  cannot decode: not an HTTP request: "\x16\x03\x01 not HTTP"; passing the bytes on undecoded`,
		"server→client  cannot decode: not an HTTP response")
	if n := strings.Count(out.String(), "cannot decode"); n != 2 {
		t.Errorf("the trace says %d times that it cannot decode, want once each way", n)
	}
}

// TestBrokenFrames passes frames that break the protocol, then a frame
// header no decoder can trust: they all reach the server, and the trace
// says what each is.
func TestBrokenFrames(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	_, addr, out := startProxy(t, server, Faults{})
	client, srv := handshake(t, addr, conns)
	client.client = false
	client.send(0x81, []byte("unmasked"))
	client.client = true
	client.send(0x83, []byte("opcode 3"))
	client.send(0x81, []byte("after"))
	for _, want := range []string{"unmasked", "opcode 3", "after"} {
		if _, p, err := srv.recv(); err != nil || string(p) != want {
			t.Fatalf("the server got %q, %v; want %q", p, err, want)
		}
	}
	out.waitFor(t,
		`client→server  text    FIN   unmasked  8 B  "unmasked"  !client frame not masked`,
		"client→server  cannot decode: unknown opcode 0x3; passing the bytes on undecoded")
}

// TestFINAndRST checks that each end learns how the other closed: a FIN
// as a FIN (the other way still open), an RST as an RST.
func TestFINAndRST(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	_, addr, out := startProxy(t, server, Faults{})

	c := dial(t, addr)
	s := serverConn(t, conns)
	c.(*net.TCPConn).CloseWrite()
	if _, err := s.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("after the client's FIN the server read %v, want EOF", err)
	}
	write(t, s, "still open")
	got := make([]byte, 10)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("the client could not read after its FIN: %v; want the other way open", err)
	}
	out.waitFor(t, "#1 ", "client closed (FIN)")

	c2 := dial(t, addr)
	s2 := serverConn(t, conns)
	write(t, c2, "x")
	if _, err := io.ReadFull(s2, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	c2.(*net.TCPConn).SetLinger(0)
	c2.Close()
	if _, err := s2.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("after the client's RST the server read %v, want ECONNRESET", err)
	}
	out.waitFor(t, "#2 ", "client reset (RST)")
}

// TestHTTP traces plain HTTP as lesson 05 uses it: polls on one keep-alive
// connection, a HEAD, an event stream, a refused upgrade followed by
// another request on the same connection.
func TestHTTP(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/poll":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"updates":[],"next":3}`)
		case "/sse":
			w.Header().Set("Content-Type", "text/event-stream")
			for i := 1; i <= 3; i++ {
				fmt.Fprintf(w, "id: %d\ndata: {}\n\n", i)
				w.(http.Flusher).Flush()
			}
		case "/ws":
			http.Error(w, "origin not allowed", http.StatusForbidden)
		case "/post":
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%d", len(b))
		}
	}))
	defer ts.Close()
	_, addr, out := startProxy(t, ts.Listener.Addr().String(), Faults{})
	client := &http.Client{Timeout: timeout}
	defer client.CloseIdleConnections()
	for _, path := range []string{"/poll?since=0", "/poll?since=3"} {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if resp, err := client.Head("http://" + addr + "/poll"); err == nil {
		resp.Body.Close()
	}
	if resp, err := client.Post("http://"+addr+"/post", "text/plain", strings.NewReader("twelve bytes")); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	out.waitFor(t,
		"#1 ", "client→server  GET /poll?since=0 HTTP/1.1  head",
		"server→client  HTTP/1.1 200 OK  head", "  body 23 B",
		"client→server  GET /poll?since=3 HTTP/1.1  head",
		"server→client  HTTP/1.1 200 OK  head", "  body 23 B",
		"client→server  HEAD /poll HTTP/1.1  head",
		"client→server  POST /post HTTP/1.1  head", "  body 12 B",
		"server→client  HTTP/1.1 200 OK  head", "  body 2 B",
	)
	if strings.Contains(out.String(), "#2 ") {
		t.Errorf("the polls took more than one connection; want one keep-alive connection")
	}

	resp, err := client.Get("http://" + addr + "/sse")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	out.waitFor(t, "client→server  GET /sse HTTP/1.1",
		"server→client  HTTP/1.1 200 OK  head", "body chunked, streaming",
		`server→client    chunk 16 B  "id: 1\ndata: {}\n\n"`,
		`server→client    chunk 16 B  "id: 2\ndata: {}\n\n"`,
		`server→client    chunk 16 B  "id: 3\ndata: {}\n\n"`,
		"server→client    end of body: ", " B in 3 chunks")

	// A refused upgrade, and then a poll on the same connection.
	c := dial(t, addr)
	write(t, c, upgradeRequest+"GET /poll HTTP/1.1\r\nHost: x\r\n\r\n")
	out.waitFor(t, "client→server  GET /ws HTTP/1.1", "Upgrade: websocket",
		"server→client  HTTP/1.1 403 Forbidden  head 157 B  body 19 B", "X-Content-Type-Options: nosniff",
		"client→server  GET /poll HTTP/1.1  head 31 B",
		"server→client  HTTP/1.1 200 OK  head", "body 23 B")
}

// TestCloseStopsEverything checks that Close returns with connections open
// and leaves nothing running.
func TestCloseStopsEverything(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	p, addr, _ := startProxy(t, server, Faults{LatencyToClient: time.Hour})
	c := dial(t, addr)
	s := serverConn(t, conns)
	write(t, s, "held back an hour")
	done := make(chan struct{})
	go func() {
		p.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeGrace + timeout):
		t.Fatal("Close did not return with a connection open")
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("the client read bytes after Close; want its connection cut")
	}
}

// TestServerAnswersAndResets: a server that answers bytes it cannot take
// (a 400) and closes with the rest unread resets the connection. The client
// still gets the answer, as it would without the proxy: what the server
// sent before its RST crosses first.
func TestServerAnswersAndResets(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	_, addr, out := startProxy(t, server, Faults{})
	const answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	for try := range 20 {
		c := dial(t, addr)
		go func() {
			junk := bytes.Repeat([]byte("garbage "), 8<<10)
			for {
				if _, err := c.Write(junk); err != nil {
					return
				}
			}
		}()
		s := serverConn(t, conns)
		head := make([]byte, 100)
		if _, err := io.ReadFull(s, head); err != nil {
			t.Fatalf("try %d: the server read %v", try+1, err)
		}
		write(t, s, answer)
		s.Close() // with the client's bytes unread: RST
		got := make([]byte, len(answer))
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatalf("try %d: the client read %q, then %v; want the server's answer %q in full before the reset", try+1, got, err, answer)
		}
	}
	out.waitFor(t, "server reset (RST)")
}
