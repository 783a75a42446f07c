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
	// An echo each first, so that both handlers are surely running.
	for _, c := range []client{lib, raw} {
		require.NoError(t, c.send(whole(text("before"))))
		e, err := c.next()
		require.NoErrorf(t, err, "%s: waiting for an echo before shutting down (look at %s)", ep.path, ep.file)
		require.Truef(t, e.sameAs(text("before")), "%s: got %s; want text \"before\" (look at %s)", ep.path, e, ep.file)
	}

	start := time.Now()
	ts.cancel() // what SIGTERM does
	for name, c := range map[string]client{"library client": lib, "raw client": raw} {
		e, err := c.next()
		require.NoErrorf(t, err, "%s: after SIGTERM, the %s read: %v; want close 1001 (look at %s: s.closing)", ep.path, name, err, ep.file)
		require.Truef(t, e.sameAs(closeWith(1001)), "%s: after SIGTERM, the %s got %s; want close 1001 (going away) (look at %s: s.closing)", ep.path, name, e, ep.file)
	}
	require.NoError(t, raw.send(whole(closeWith(1001))), "answering the server's close frame")
	require.NoErrorf(t, raw.expectClosed(), "%s: after the close handshake at shutdown (look at %s)", ep.path, ep.file)

	// Both clients have answered at once; the idle connection is all that
	// is left, and the server gives plain HTTP only httpGrace.
	err := ts.shutdownBy(start.Add(2 * time.Second))
	require.NoErrorf(t, err, "%s: 2s after SIGTERM, both clients had answered the close; want run returned by then (does every goroutine of %s end once its close handshake is done?)", ep.path, ep.file)
	assert.NotContainsf(t, ts.logs.String(), "cutting them off", "%s: server log after every WebSocket closed in time", ep.path)

	if idle != nil {
		idle.SetReadDeadline(time.Now().Add(readTimeout))
		_, err = idle.Read(make([]byte, 1))
		assert.Truef(t, errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET), "idle TCP connection after shutdown: read %v; want it closed by the server (serve.go is given: is it the original?)", err)
	}
	_, err = net.DialTimeout("tcp", ts.addr, time.Second)
	require.Errorf(t, err, "connecting after shutdown succeeded; want the listener closed")
}
