package main

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGorillaShutdown(t *testing.T) { testShutdown(t, gorillaEndpoint, true) }

// The idle connection is the given server's business (serve.go): checked once.
func TestCoderShutdown(t *testing.T) { testShutdown(t, coderEndpoint, false) }

func testShutdown(t *testing.T, ep endpoint, withIdle bool) {
	checkNoLeaks(t)
	ts := startServer(t)
	// A TCP connection that never sends a request, like the spare ones
	// browsers open: it must not hold shutdown up. Opened first, so that the
	// server has accepted it by the time it has answered the clients below.
	var idle net.Conn
	if withIdle {
		var err error
		idle, err = net.DialTimeout("tcp", ts.addr, readTimeout)
		require.NoError(t, err, "connecting to the server")
		t.Cleanup(func() { idle.Close() })
	}
	requireUpgrade(t, ts, ep)
	lib := ep.dialOther(t, ts, ep.path)
	raw := dialRaw(t, ts, ep)
	clients := []client{lib, raw}
	// A client that sends one more message after the 1001 and then never
	// answers: gorilla's handler reads on for s.cfg.closeWait, then closes.
	// (coder/websocket's Close waits a fixed 5s of its own, past shutdownGrace.)
	var late *rawClient
	if ep.handler == "serveGorilla" {
		late = dialRaw(t, ts, ep)
		clients = append(clients, late)
	}
	// An echo each first, so that the handlers are surely running.
	for _, c := range clients {
		require.NoError(t, c.send(whole(text("before"))))
		e, err := c.next()
		require.NoErrorf(t, err, "%s: waiting for an echo before shutting down (look at %s)", ep.path, ep.file)
		require.Truef(t, e.sameAs(text("before")), "%s: got %s; want text \"before\" (look at %s)", ep.path, e, ep.file)
	}

	start := time.Now()
	ts.cancel() // what SIGTERM does
	names := map[client]string{lib: "library client", raw: "raw client"}
	if late != nil {
		names[late] = "client that never answers"
	}
	for c, name := range names {
		e, err := c.next()
		require.NoErrorf(t, err, "%s: after SIGTERM, the %s read: %v; want close 1001 (look at %s: s.closing)", ep.path, name, err, ep.file)
		require.Truef(t, e.sameAs(closeWith(1001)), "%s: after SIGTERM, the %s got %s; want close 1001 (going away) (look at %s: s.closing)", ep.path, name, e, ep.file)
	}
	if late != nil {
		require.NoError(t, late.send(whole(text("late"))), "a message sent before the client saw the 1001")
	}
	require.NoError(t, raw.send(whole(closeWith(1001))), "answering the server's close frame")
	require.NoErrorf(t, raw.expectClosed(), "%s: after the close handshake at shutdown (look at %s)", ep.path, ep.file)

	// Two clients have answered at once and the idle connection gets only
	// httpGrace; the one that never answers gets closeWait.
	limit := 2 * time.Second
	if late != nil {
		closeWait := defaultConfig.closeWait
		limit = closeWait + time.Second
		err := late.awaitEnd(limit)
		ended := time.Since(start)
		require.Truef(t, errors.Is(err, io.EOF) || errors.Is(err, errLeftOpen), "%s: a client sent a message after the 1001 and never answered: %v; want the connection closed after s.cfg.closeWait (look at %s: s.closing)", ep.path, err, ep.file)
		assert.GreaterOrEqualf(t, ended, closeWait, "%s: a client sent a message after the 1001 and never answered: the server closed %v after SIGTERM; want it to read on for s.cfg.closeWait (%v), its answer may still come. Does the echo's failed write (websocket.ErrCloseSent: the close frame is out) end the handler? (look at %s)", ep.path, ended.Round(time.Millisecond), closeWait, ep.file)
	}
	err := ts.shutdownBy(start.Add(limit))
	require.NoErrorf(t, err, "%s: %v after SIGTERM, every client had answered the close or had s.cfg.closeWait to; want run returned by then (does every goroutine of %s end once its close handshake is done, or closeWait after the 1001?)", ep.path, limit, ep.file)
	assert.NotContainsf(t, ts.logs.String(), "cutting them off", "%s: server log: the server cut off a WebSocket at shutdownGrace; want each closed by its handler, at the latest s.cfg.closeWait after its 1001 (look at %s)", ep.path, ep.file)

	if idle != nil {
		idle.SetReadDeadline(time.Now().Add(readTimeout))
		_, err = idle.Read(make([]byte, 1))
		assert.Truef(t, errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET), "idle TCP connection after shutdown: read %v; want it closed by the server (serve.go is given: is it the original?)", err)
	}
	_, err = net.DialTimeout("tcp", ts.addr, time.Second)
	require.Errorf(t, err, "connecting after shutdown succeeded; want the listener closed")
}
