package main

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestGorillaShutdown(t *testing.T) { testShutdown(t, gorillaEndpoint) }

func TestCoderShutdown(t *testing.T) { testShutdown(t, coderEndpoint) }

func testShutdown(t *testing.T, ep endpoint) {
	checkNoLeaks(t)
	ts := startServer(t)
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

	require.NoError(t, ts.shutdown())
	took := time.Since(start)
	require.Lessf(t, took, 2*time.Second, "shutdown took %v with every client answering at once; want well within %v (look at %s)", took, shutdownLimit, ep.file)

	_, err := net.DialTimeout("tcp", ts.addr, time.Second)
	require.Errorf(t, err, "connecting after shutdown succeeded; want the listener closed")
}
