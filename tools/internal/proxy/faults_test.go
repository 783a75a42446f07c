package proxy

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// roundTrip sends one byte from the client, has the server echo it, and
// returns the time the client waited for it.
func roundTrip(t *testing.T, c, s net.Conn) time.Duration {
	t.Helper()
	start := time.Now()
	write(t, c, "x")
	b := make([]byte, 1)
	if _, err := io.ReadFull(s, b); err != nil {
		t.Fatal(err)
	}
	write(t, s, "y")
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

// TestLatency measures a round trip at the client: it takes the latency of
// both directions, then more or less as SetLatency changes it.
func TestLatency(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	p, addr, out := startProxy(t, server, Faults{LatencyToServer: 150 * time.Millisecond, LatencyToClient: 100 * time.Millisecond})
	c := dial(t, addr)
	s := serverConn(t, conns)
	for _, want := range []time.Duration{250 * time.Millisecond, 50 * time.Millisecond, 450 * time.Millisecond} {
		if want == 50*time.Millisecond {
			p.SetLatency(0, 50*time.Millisecond)
			out.waitFor(t, "proxy  latency now 0s client→server, 50ms server→client")
		}
		if want == 450*time.Millisecond {
			p.SetLatency(200*time.Millisecond, 250*time.Millisecond)
		}
		if got := roundTrip(t, c, s); got < want || got > want+2*time.Second {
			t.Errorf("round trip %v through the proxy, want the added latency of %v (and at most 2s more)", got, want)
		}
	}
}

// TestLatencyKeepsThroughput checks that latency delays bytes but does not
// slow a stream: 40 writes 50ms apart arrive 50ms apart, not 300ms apart.
func TestLatencyKeepsThroughput(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	_, addr, _ := startProxy(t, server, Faults{LatencyToClient: 300 * time.Millisecond})
	c := dial(t, addr)
	s := serverConn(t, conns)
	start := time.Now()
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for range 40 {
			<-tick.C
			s.Write([]byte("z"))
		}
	}()
	if _, err := io.ReadFull(c, make([]byte, 40)); err != nil {
		t.Fatal(err)
	}
	if got := time.Since(start); got < 700*time.Millisecond || got > 5*time.Second {
		t.Errorf("40 bytes written 10ms apart took %v to arrive with 300ms of latency, want about 700ms (12s would mean the latency was added to each write in turn)", got)
	}
}

// TestRate measures the bandwidth cap: 256 KiB at 512 KiB/s take half a
// second, in the capped direction only.
func TestRate(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	const rate, size = 512 << 10, 256 << 10
	_, addr, _ := startProxy(t, server, Faults{RateToClient: rate})
	c := dial(t, addr)
	s := serverConn(t, conns)
	data := make([]byte, size)

	start := time.Now()
	go s.Write(data)
	if _, err := io.ReadFull(c, make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if got := float64(size) / took.Seconds(); got > rate*1.2 || got < rate/10 {
		t.Errorf("%d B server→client took %v: %.0f B/s, want about the cap of %d B/s", size, took, got, rate)
	}

	start = time.Now()
	go c.Write(data)
	if _, err := io.ReadFull(s, make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	if uncapped := time.Since(start); uncapped > took/2 {
		t.Errorf("%d B client→server took %v, server→client under the cap %v: the cap of the other direction slowed this one", size, uncapped, took)
	}
}

// TestStall stops reading from the server: nothing reaches the client until
// the stall ends, and a server writing a lot meanwhile is held up, as by a
// client that has fallen behind.
func TestStall(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	// The stall is due a second after the connection opens: time enough,
	// on a loaded machine too, for the first bytes to cross before it.
	const stall, due = 2 * time.Second, time.Second
	_, addr, out := startProxy(t, server, Faults{StallFor: stall, StallAfter: due})
	c := dial(t, addr)
	opened := time.Now()
	s := serverConn(t, conns)
	write(t, s, "before")
	if _, err := io.ReadFull(c, make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(opened); waited >= stall {
		t.Fatalf("the first bytes took %v: they were written before the stall was due (%v after opening) and should not wait for it", waited, due)
	}

	// Write until the buffers between server and proxy are full: the
	// server's writes time out, as a hub's would for a stalled client.
	s.SetWriteDeadline(time.Now().Add(stall / 2))
	block := make([]byte, 1<<20)
	var werr error
	sent := 0
	for werr == nil && sent < 1<<30 {
		var n int
		n, werr = s.Write(block)
		sent += n
	}
	if !errors.Is(werr, os.ErrDeadlineExceeded) {
		t.Fatalf("the server wrote %d B into a stalled connection, then %v; want its writes held up until its deadline", sent, werr)
	}
	c.SetReadDeadline(time.Now().Add(timeout))
	if _, err := io.ReadFull(c, make([]byte, sent)); err != nil {
		t.Fatalf("after the stall the client read %v; want all %d B", err, sent)
	}
	if got := time.Since(opened); got < stall {
		t.Errorf("the client had everything %v after opening, want no earlier than the stall's end at %v", got, due+stall)
	}
	out.waitFor(t, "server→client  stalled: not reading from the server for 2s", "server→client  reading from the server again")
}

// TestStallAll stalls every open connection at once, as the s key does.
func TestStallAll(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	p, addr, out := startProxy(t, server, Faults{})
	c := dial(t, addr)
	s := serverConn(t, conns)
	roundTrip(t, c, s)
	const stall = 500 * time.Millisecond
	start := time.Now()
	if n := p.StallAll(stall); n != 1 {
		t.Errorf("StallAll stalled %d connections, want 1", n)
	}
	write(t, s, "late")
	if _, err := io.ReadFull(c, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if got := time.Since(start); got < stall {
		t.Errorf("bytes written during a %v stall arrived after %v", stall, got)
	}
	out.waitFor(t, "proxy  stalling 1 open connection: not reading from the server for 500ms")
}

// TestCut resets every connection: the client sees its connection reset
// with no close frame (a browser reports 1006, abnormal closure) and the
// server's read fails.
func TestCut(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	p, addr, out := startProxy(t, server, Faults{})
	client, srv := handshake(t, addr, conns)
	client.send(0x81, []byte("hi"))
	if _, _, err := srv.recv(); err != nil {
		t.Fatal(err)
	}
	if n := p.CutAll(); n != 1 {
		t.Errorf("CutAll cut %d connections, want 1", n)
	}
	if _, _, err := client.recv(); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("after the cut the client read %v, want ECONNRESET: no close frame, so 1006", err)
	}
	if _, _, err := srv.recv(); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("after the cut the server read %v, want ECONNRESET", err)
	}
	out.waitFor(t, "cut by the proxy: RST to client and server", "proxy  cut 1 open connection (RST to client and server)")
}

// TestCutAfter resets each connection a while after it opened.
func TestCutAfter(t *testing.T) {
	t.Parallel()
	server, conns := tcpServer(t)
	const after = 300 * time.Millisecond
	_, addr, out := startProxy(t, server, Faults{CutAfter: after})
	c := dial(t, addr)
	opened := time.Now()
	s := serverConn(t, conns)
	if _, err := s.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the server read %v, want ECONNRESET when the proxy cuts", err)
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the client read %v, want ECONNRESET", err)
	}
	if got := time.Since(opened); got < after {
		t.Errorf("cut %v after opening, want %v", got, after)
	}
	out.waitFor(t, "cut by the proxy after 300ms: RST to client and server")
}
