package main

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// hooked is the lesson's server on a test's terms: no publisher, so that
// nothing is published unless the test publishes it; the test's choice of
// the HTTP server's timeouts; and a store that can publish one update at the
// moment the test chooses. Its sockets have small send buffers, so that a
// client that stops reading blocks the server's writes after kilobytes, not
// the megabytes a loopback connection buffers.
type hooked struct {
	*server
	ts *testServer // its address, for the helpers that take a testServer
	st *hookedStore
}

// serveTimeout is serve.go's ReadTimeout and WriteTimeout.
const serveTimeout = 10 * time.Second

// startHooked starts a hooked server with these flags, its HTTP server's
// ReadTimeout and WriteTimeout at httpTimeout (serve.go has serveTimeout),
// and shuts it down as serve.go does when the test ends.
func startHooked(t *testing.T, httpTimeout time.Duration, flags ...string) *hooked {
	t.Helper()
	s, err := newServer(flags, io.Discard)
	require.NoErrorf(t, err, "flags %q", flags)
	st := &hookedStore{feed: s.updates}
	s.updates = st
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := smallBuffers{l}
	ts := &testServer{addr: ln.Addr().String(), logs: &syncBuffer{}}
	hs := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: min(5*time.Second, httpTimeout),
		ReadTimeout:       httpTimeout,
		WriteTimeout:      httpTimeout,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
		ErrorLog: log.New(ts.logs, "http: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() {
		// As serve.go shuts down: s.closing lets every handler go; those
		// still running after closeWait are cut off.
		s.sockets.mu.Lock()
		s.sockets.shutdown = true
		s.startClosing()
		s.sockets.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if hs.Shutdown(ctx) != nil {
			hs.Close()
		}
		<-served
		if !waitTimeout(&s.sockets.handlers, s.cfg.closeWait) {
			s.sockets.mu.Lock()
			for c := range s.sockets.active {
				c.Close()
			}
			s.sockets.mu.Unlock()
			if !waitTimeout(&s.sockets.handlers, time.Second) {
				t.Errorf("the handlers of a test's server still ran %v after it shut down and cut their connections; want them ended once s.closing is done", s.cfg.closeWait+time.Second)
			}
		}
		ts.showLog(t)
	})
	return &hooked{server: s, ts: ts, st: st}
}

// smallBuffers gives every connection it accepts a small send buffer.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// stopReading makes c's receive buffer small, for a client that stops
// reading: with smallBuffers, about 100 KB then fill the way.
func stopReading(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetReadBuffer(4 << 10)
	}
}

// publishN publishes n updates and returns the seq of the last.
func (h *hooked) publishN(n int) uint64 {
	var u update
	for i := range n {
		u = h.st.feed.publish(symbols[i%len(symbols)], 100+float64(i%10), time.Now())
	}
	return u.Seq
}

// fatSymbol makes updates of about 1 KiB: a thousand of them are ten times
// what the socket buffers between a hooked server and a client that stops
// reading hold.
var fatSymbol = strings.Repeat("FAT", 1<<10/3)

// hookedStore is a store that, once armed, publishes one update right after
// the next look (since) and before that look returns: as if the publisher
// had run between a handler's look and what it does next.
type hookedStore struct {
	feed
	armed atomic.Bool
	looks atomic.Int64  // calls of since
	fired atomic.Uint64 // seq of the update the hook published, 0 before
}

func (h *hookedStore) since(n uint64) ([]update, <-chan struct{}) {
	ups, news := h.feed.since(n)
	h.looks.Add(1)
	if h.armed.CompareAndSwap(true, false) {
		h.fired.Store(h.feed.publish("HOOK", 1, time.Now()).Seq)
	}
	return ups, news
}

// arm makes the next look publish one update.
func (h *hookedStore) arm() { h.armed.Store(true) }

// lookedAt waits until the store has been looked at (since) more than n
// times: a handler that looks is running.
func (h *hooked) lookedAt(t *testing.T, n int64, what string) {
	t.Helper()
	deadline := time.Now().Add(readTimeout)
	for h.st.looks.Load() <= n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the handler did not look at the store (since) within %v; want it to, at once", what, readTimeout)
		}
		time.Sleep(time.Millisecond) // sampling a counter, not waiting for the server
	}
}

// endedWithin reports whether every handler main.go tracks (/longpoll, /sse,
// /ws) has returned within d, and how long it took.
func (h *hooked) endedWithin(d time.Duration) (time.Duration, bool) {
	start := time.Now()
	for {
		h.sockets.mu.Lock()
		n := len(h.sockets.active)
		h.sockets.mu.Unlock()
		if n == 0 {
			return time.Since(start), true
		}
		if time.Since(start) > d {
			return time.Since(start), false
		}
		time.Sleep(5 * time.Millisecond) // sampling: handlers end on their own
	}
}

// parked reports whether every goroutine of fn (and those it started) is
// waiting, not running.
func parked(fn string) bool {
	seen := false
	for _, g := range goroutines() {
		if !strings.Contains(g.stack, fn) {
			continue
		}
		seen = true
		switch state(g.stack) {
		case "running", "runnable", "syscall":
			return false
		}
	}
	return seen
}

// parkedWithin waits until every goroutine of fn (and those it started) is
// waiting, so that its next look at the store comes only after something
// wakes it.
func parkedWithin(t *testing.T, fn, what string) {
	t.Helper()
	deadline := time.Now().Add(readTimeout)
	for !parked(fn) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the handler (%s) was still busy %v after its last update; want it waiting for the store's news", what, fn, readTimeout)
		}
		time.Sleep(time.Millisecond) // sampling the goroutines, not waiting for the server
	}
}

// stalledClient sends a request and never reads the answer.
func stalledClient(t *testing.T, ts *testServer, path string, extra ...string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", ts.addr, readTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	stopReading(c)
	req := "GET " + path + " HTTP/1.1\r\nHost: " + ts.addr + "\r\n" + strings.Join(extra, "") + "\r\n"
	c.SetWriteDeadline(time.Now().Add(readTimeout))
	_, err = io.WriteString(c, req)
	require.NoErrorf(t, err, "GET %s: sending the request", path)
	return c
}
