package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Short periods, so that the test does not wait: a ping every 25ms, and a
// peer has 500ms to answer.
var shortKeepalive = []string{"-ping-period", "25ms", "-pong-wait", "500ms"}

const writerFile = "client.go (writePump)"

func TestKeepalive(t *testing.T) {
	checkNoLeaks(t)
	requireBroadcast(t, startHub(t))

	t.Run("pings an idle client and keeps it while it answers", func(t *testing.T) {
		t.Parallel() // each has a server of its own
		c := dial(t, startHub(t, shortKeepalive...), "client", clientOptions{pings: true})
		start := time.Now()
		// Thirty answered pings take longer than a ping period plus the
		// pong wait: a server that ignored the pongs would have dropped us.
		for i := 1; i <= 30; i++ {
			e, ok := c.next(time.Second)
			require.Truef(t, ok, "-ping-period 25ms: waiting for ping %d, %v after connecting: nothing within 1s; want a ping every 25ms (look at %s)", i, time.Since(start).Round(time.Millisecond), writerFile)
			if e.code != 0 || e.err != nil {
				t.Fatalf("-ping-period 25ms -pong-wait 500ms: after %d pings, each answered with a pong, got %s, %v after connecting; want the client kept: does every pong move the read deadline on (SetPongHandler)? (look at client.go: readPump)", i-1, e, time.Since(start).Round(time.Millisecond))
			}
			require.Truef(t, e.ping, "-ping-period 25ms: got %s while idle; want ping %d (look at %s)", e, i, writerFile)
		}
		c.send("still here")
		for {
			e, ok := c.next(readTimeout)
			require.Truef(t, ok, "after answering every ping for %v, sent text \"still here\": nothing came back within %v; want it back (a pong must keep the client: look at client.go: readPump)", time.Since(start).Round(time.Millisecond), readTimeout)
			if e.ping {
				continue
			}
			require.Truef(t, e.data == "still here", "after answering every ping for %v, sent text \"still here\": got %s; want it back (a pong must keep the client: look at client.go: readPump)", time.Since(start).Round(time.Millisecond), e)
			break
		}
	})

	t.Run("drops a client that does not answer", func(t *testing.T) {
		t.Parallel() // each has a server of its own
		c := dial(t, startHub(t, shortKeepalive...), "client", clientOptions{pings: true, silent: true})
		e, ok := c.next(time.Second)
		require.Truef(t, ok && e.ping, "-ping-period 25ms: waiting 1s for a ping, got %s; want one after 25ms (look at %s)", e, writerFile)
		const limit = 2500 * time.Millisecond // five times -pong-wait
		_, end, ok := c.expectClose(limit)
		require.Truef(t, ok, "-pong-wait 500ms: the server still held a client %v after a ping it did not answer; want it dropped about 500ms after: what ends readPump when no pong comes? (look at client.go: readPump)", limit)
		t.Logf("the client that did not answer ended with %s", end)
	})

	t.Run("broadcasts while pinging", func(t *testing.T) {
		t.Parallel() // each has a server of its own
		// A ping every millisecond among the messages: two goroutines
		// writing to one connection is a data race (-race) or a panic.
		c := dial(t, startHub(t, "-ping-period", "1ms", "-pong-wait", "2s"), "client", clientOptions{pings: true})
		// In batches smaller than the queue, so that no queue overflows.
		const n, batch = 200, queueSize / 2
		pings := 0
		for i := 0; i < n; {
			for j := i; j < min(i+batch, n); j++ {
				c.send(fmt.Sprint(j))
			}
			for end := min(i+batch, n); i < end; {
				e, ok := c.next(readTimeout)
				require.Truef(t, ok, "-ping-period 1ms: waiting for message %d of %d: nothing within %v (look at %s)", i+1, n, readTimeout, writerFile)
				if e.ping {
					pings++
					continue
				}
				require.Equalf(t, fmt.Sprint(i), e.data, "-ping-period 1ms: got %s; want text %q, message %d in order (look at %s)", e, fmt.Sprint(i), i+1, writerFile)
				i++
			}
		}
		t.Logf("%d pings came between the %d messages", pings, n)
	})
}
