package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestGorillaKeepalive(t *testing.T) { testKeepalive(t, gorillaEndpoint) }

func TestCoderKeepalive(t *testing.T) { testKeepalive(t, coderEndpoint) }

// Short periods, so that the test does not wait: a ping every 25ms, and a
// peer has 200ms to answer (to be dropped, which a slow server only delays).
var shortKeepalive = []string{"-ping-period", "25ms", "-pong-wait", "200ms"}

func testKeepalive(t *testing.T, ep endpoint) {
	checkNoLeaks(t)
	requireUpgrade(t, startServer(t), ep)

	t.Run("pings an idle peer and keeps it while it answers", func(t *testing.T) {
		// A long pong wait, so that a server starved of CPU on a loaded
		// machine does not miss its own deadline. The client answers pings
		// for longer than a ping period plus the pong wait: a server that
		// ignored the pongs would have dropped it. One deadline bounds the
		// whole wait, so a server that never pings fails, however slow.
		const flags = "-ping-period 25ms -pong-wait 1s"
		const answerFor = 1500 * time.Millisecond
		c := dialRaw(t, startServer(t, strings.Fields(flags)...), ep)
		start := time.Now()
		deadline := start.Add(answerFor + readTimeout)
		var slowest time.Duration // the longest the client took to answer a ping
		pings := 0
		for time.Since(start) < answerFor {
			f, err := c.readFrame(time.Until(deadline))
			if (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) && pings == 0 {
				require.FailNowf(t, "quiet peer dropped", "%s %s: the server closed the connection of a quiet client %v after connecting, before its first ping: no keepalive was involved, a read gave up on a timeout of its own. A quiet peer stays as long as it answers pings: a read may wait -ping-period plus -pong-wait (gorilla: the read deadline) or for ever (coder: Reader's context) (look at %s)",
					ep.path, flags, time.Since(start).Round(time.Millisecond), ep.file)
			}
			if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
				require.FailNowf(t, "peer dropped", "%s %s: the server closed the connection %v after connecting, while the client was answering pings: it answered all %d so far, the slowest in %v; want it kept: %s (look at %s)",
					ep.path, flags, time.Since(start).Round(time.Millisecond), pings, slowest.Round(time.Microsecond), ep.keptAlive, ep.file)
			}
			require.NoErrorf(t, err, "%s %s: waiting for ping %d, %v after connecting (%d came); want a ping every 25ms (look at %s)", ep.path, flags, pings+1, time.Since(start).Round(time.Millisecond), pings, ep.file)
			require.Truef(t, f.op == opPing, "%s: got %s while idle; want ping %d (look at %s)", ep.path, f, pings+1, ep.file)
			pings++
			got := time.Now()
			require.NoError(t, c.send(frame{fin: true, op: opPong, payload: f.payload}), "answering the ping")
			slowest = max(slowest, time.Since(got))
		}
		t.Logf("%d pings answered in %v", pings, time.Since(start).Round(time.Millisecond))
		require.NoError(t, c.send(whole(text("still here"))), "sending a message after the pings")
		for {
			e, err := c.next()
			require.NoErrorf(t, err, "%s: after answering every ping for %v, sent text \"still here\": %v; want its echo: %s (look at %s)", ep.path, time.Since(start).Round(time.Millisecond), err, ep.keptAlive, ep.file)
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
			err := c.awaitEnd(time.Until(pinged.Add(limit)))
			var f frame
			if err == nil {
				f, err = c.readFrame(readTimeout)
			}
			if err == nil && (f.op == opPing || f.op == opClose) {
				continue
			}
			if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
				return
			}
			if errors.Is(err, errLeftOpen) {
				first, _ := leftOpen.Load(ep.path)
				require.FailNowf(t, "peer not dropped", "%s -pong-wait 200ms: the client did not answer a ping; %v (look at %s)", ep.path, notClosed(ep, first.(string), t.Name()), ep.file)
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

	t.Run("stops pinging when the connection ends", func(t *testing.T) {
		// The two periods in their real ratio (30s and 10s by default), the
		// ping period longer than checkNoLeaks waits: a pinger that notices
		// the end of its connection only when its next ping fails lives on
		// for up to a ping period.
		const flags = "-ping-period 9s -pong-wait 3s"
		c := dialRaw(t, startServer(t, strings.Fields(flags)...), ep)
		require.NoError(t, c.send(whole(text("hello"))))
		e, err := c.next() // the handler is surely running now
		require.NoErrorf(t, err, "%s %s: waiting for an echo (look at %s)", ep.path, flags, ep.file)
		require.Truef(t, e.sameAs(text("hello")), "%s: got %s; want text \"hello\" (look at %s)", ep.path, e, ep.file)
		c.close()
		deadline := time.Now().Add(readTimeout)
		for {
			left := handlerGoroutines(ep)
			if len(left) == 0 {
				return
			}
			if time.Now().After(deadline) {
				require.FailNowf(t, "goroutine left running", "%s %s: the client closed its connection, and %v later the handler or a goroutine it started was still running:\n\t%s\nA pinger that learns that its connection is gone only when its next ping fails lives on for up to a ping period (9s here, 30s by default), one for every connection that ended. When the handler returns, how does the pinging goroutine learn that it must stop, and does the handler wait for it? (look at %s)",
					ep.path, flags, readTimeout, strings.Join(left, "\n\t"), ep.file)
			}
			time.Sleep(10 * time.Millisecond) // poll: goroutines wind down on their own
		}
	})
}
