package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEncodeOnce: a broadcast frames its message once, however many clients
// it goes to. The test runs a hub of its own with clients that have a queue
// and no connection, so what it counts is the hub's work alone.
func TestEncodeOnce(t *testing.T) {
	checkNoLeaks(t)
	h := newHub()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		h.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(readTimeout):
			t.Errorf("hub.run still running %v after its ctx ended; want it returned (look at hub.go: run)", readTimeout)
		}
	})

	var clients []*client
	add := func(n int) {
		for len(clients) < n {
			c := &client{send: make(chan *message, queueSize)}
			require.Truef(t, h.join(c), "hub.join returned false before the hub stopped; want true (look at hub.go: join)")
			clients = append(clients, c)
		}
	}
	msg := []byte(`{"type":"tick","seq":1,"symbol":"GOPH","price":100.25,"time":"2026-01-02T03:04:05.123456789Z"}`)
	// broadcast publishes msg and takes it from every queue before ctx ends.
	broadcast := func(ctx context.Context) bool {
		h.publish(msg)
		for _, c := range clients {
			select {
			case m := <-c.send:
				c.queued.Add(-int64(m.size)) // as writePump does
			case <-ctx.Done():
				return false
			}
		}
		return true
	}

	add(10)
	first, cancelFirst := context.WithTimeout(ctx, readTimeout)
	defer cancelFirst()
	require.Truef(t, broadcast(first), "a hub with 10 clients: publish, then waiting for the message in every client's queue (client.send): not all had it within %v; want it in each (look at hub.go: run, publish)", readTimeout)
	perBroadcast := func(n int) float64 {
		add(n)
		return testing.AllocsPerRun(20, func() {
			if !broadcast(ctx) {
				panic(fmt.Sprintf("a hub with %d clients stopped delivering", n))
			}
		})
	}
	few, many := perBroadcast(10), perBroadcast(1000)
	t.Logf("allocations per broadcast: %.1f with 10 clients, %.1f with 1000", few, many)
	// A frame for each client costs 990 more; the margin is for what other
	// goroutines allocate meanwhile (AllocsPerRun counts the whole process).
	require.LessOrEqualf(t, many, few+50, "allocations per broadcast: %.1f with 10 clients, %.1f with 1000; want about the same: frame each message once (websocket.NewPreparedMessage) and hand every client the same one, never a copy or a new frame each (look at hub.go: publish, run)", few, many)
}
