package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestGorillaKeepalive(t *testing.T) { testKeepalive(t, gorillaEndpoint) }

func TestCoderKeepalive(t *testing.T) { testKeepalive(t, coderEndpoint) }

// Short periods, so that the test does not wait: a ping every 25ms, and a
// peer has 200ms to answer.
var shortKeepalive = []string{"-ping-period", "25ms", "-pong-wait", "200ms"}

func testKeepalive(t *testing.T, ep endpoint) {
	checkNoLeaks(t)
	requireUpgrade(t, startServer(t), ep)

	t.Run("pings an idle peer and keeps it while it answers", func(t *testing.T) {
		c := dialRaw(t, startServer(t, shortKeepalive...), ep)
		start := time.Now()
		// Twelve answered pings take longer than a ping period plus the
		// pong wait: a server that ignored the pongs would have dropped us.
		for i := 1; i <= 12; i++ {
			f, err := c.readFrame(time.Second)
			if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
				require.FailNowf(t, "peer dropped", "%s -ping-period 25ms -pong-wait 200ms: the server closed the connection %v after connecting, though the client answered all %d pings so far; want it kept: a pong must keep the peer alive (look at %s)", ep.path, time.Since(start).Round(time.Millisecond), i-1, ep.file)
			}
			require.NoErrorf(t, err, "%s -ping-period 25ms: waiting for ping %d, %v after connecting; want a ping every 25ms (look at %s)", ep.path, i, time.Since(start).Round(time.Millisecond), ep.file)
			require.Truef(t, f.op == opPing, "%s: got %s while idle; want ping %d (look at %s)", ep.path, f, i, ep.file)
			require.NoError(t, c.send(frame{fin: true, op: opPong, payload: f.payload}), "answering the ping")
		}
		require.NoError(t, c.send(whole(text("still here"))), "sending a message after the pings")
		for {
			e, err := c.next()
			require.NoErrorf(t, err, "%s: after answering every ping for %v, sent text \"still here\": %v; want its echo (a pong must keep the peer alive: look at %s)", ep.path, time.Since(start).Round(time.Millisecond), err, ep.file)
			if e.op == opPing {
				require.NoError(t, c.send(frame{fin: true, op: opPong, payload: e.data}), "answering a ping")
				continue
			}
			require.Truef(t, e.sameAs(text("still here")), "%s: got %s; want text \"still here\" (look at %s)", ep.path, e, ep.file)
			break
		}
	})

	t.Run("drops a peer that does not answer", func(t *testing.T) {
		c := dialRaw(t, startServer(t, shortKeepalive...), ep)
		f, err := c.readFrame(time.Second)
		require.NoErrorf(t, err, "%s -ping-period 25ms: waiting 1s for a ping; want one after 25ms (look at %s)", ep.path, ep.file)
		require.Truef(t, f.op == opPing, "%s: got %s from an idle connection; want a ping (look at %s)", ep.path, f, ep.file)
		pinged := time.Now()
		const limit = 2 * time.Second // ten times -pong-wait
		for {
			// Not answering: pings and at most a close frame may come,
			// then the server must hang up; all within one deadline.
			f, err := c.readFrame(time.Until(pinged.Add(limit)))
			if err == nil && (f.op == opPing || f.op == opClose) {
				continue
			}
			if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
				return
			}
			what := fmt.Sprintf("got %s", f)
			if err != nil {
				what = err.Error()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				what = fmt.Sprintf("the server was still pinging %v after the unanswered ping", limit)
			}
			require.FailNowf(t, "peer not dropped", "%s -pong-wait 200ms: %s; want the peer dropped about 200ms after a ping it did not answer: what tells your server that no pong came? (look at %s)",
				ep.path, what, ep.file)
		}
	})

	t.Run("echoes while pinging", func(t *testing.T) {
		// A ping every millisecond, in the middle of the echoes: two
		// goroutines writing at once is a data race (-race) or a panic.
		c := dialRaw(t, startServer(t, "-ping-period", "1ms", "-pong-wait", "2s"), ep)
		const n = 200
		for i := range n {
			require.NoError(t, c.send(whole(text(fmt.Sprint(i)))))
		}
		pings := 0
		for i := 0; i < n; {
			e, err := c.next()
			require.NoErrorf(t, err, "%s -ping-period 1ms: reading echo %d of %d: %v (look at %s)", ep.path, i+1, n, err, ep.file)
			if e.op == opPing {
				pings++
				require.NoError(t, c.send(frame{fin: true, op: opPong, payload: e.data}))
				continue
			}
			require.Truef(t, e.sameAs(text(fmt.Sprint(i))), "%s -ping-period 1ms: got %s; want text %q, echo %d in order (look at %s)", ep.path, e, fmt.Sprint(i), i+1, ep.file)
			i++
		}
		t.Logf("%d pings came between the %d echoes", pings, n)
	})
}
