package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The tests in this file drive a room on its own, through join, post and
// leave, with clients that have a name and a queue and no connection: what
// they see is the room's work alone, in the order it did it.

const roomFiles = "room.go: run, and its join, post and leave"

// startRoom runs a room of its own until the test ends.
func startRoom(t *testing.T, name string) *room {
	t.Helper()
	r := newRoom(name, "test-epoch")
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		r.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(readTimeout):
			t.Errorf("room.run still running %v after its ctx ended; want it returned (look at room.go: run)", readTimeout)
		}
	})
	return r
}

// roomJoin lets a client called name, with a queue of slots messages, into
// r, and fails the test unless it is let in.
func roomJoin(t *testing.T, r *room, name string, slots int) *client {
	t.Helper()
	c := &client{name: name, send: make(chan []byte, slots)}
	err := r.join(c, joinRequest{name: name, room: r.name})
	require.NoErrorf(t, err, "room.join(%s) in room %s: got an error; want %s let in (look at %s)", name, r.name, name, roomFiles)
	return c
}

// queued returns the next message in c's queue, waiting at most readTimeout.
func queued(t *testing.T, c *client, what string) msg {
	t.Helper()
	timer := time.NewTimer(readTimeout)
	defer timer.Stop()
	select {
	case data, ok := <-c.send:
		require.Truef(t, ok, "%s's queue: waiting for %s: the room closed it; want it open, %s is a member (look at %s)", c.name, what, c.name, roomFiles)
		var m msg
		require.NoErrorf(t, json.Unmarshal(data, &m), "%s's queue: waiting for %s: got %s; want a JSON message (look at %s)", c.name, what, short(string(data)), roomFiles)
		m.raw = string(data)
		return m
	case <-timer.C:
		t.Fatalf("%s's queue: waiting for %s: nothing came within %v (look at %s)", c.name, what, readTimeout, roomFiles)
		return msg{}
	}
}

// TestEncodeOnce: the room encodes each message once, however many members
// it goes to, and queues the same bytes for each of them.
func TestEncodeOnce(t *testing.T) {
	checkNoLeaks(t)
	r := startRoom(t, "encode")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// take takes one message from c's queue; false when none came.
	take := func(ctx context.Context, c *client) bool {
		select {
		case _, ok := <-c.send:
			return ok
		case <-ctx.Done():
			return false
		}
	}
	var members []*client
	add := func(n int) {
		for len(members) < n {
			members = append(members, roomJoin(t, r, uniq("m", len(members)), 4))
			for _, c := range members { // the joiner's welcome, the others' join
				require.Truef(t, take(ctx, c), "a room of %d members: %s's queue got nothing after the join of %s; want the welcome or the join (look at %s)", len(members), c.name, members[len(members)-1].name, roomFiles)
			}
		}
	}
	// post posts a message and takes it from every queue.
	post := func(ctx context.Context) bool {
		r.post(members[0], "the same bytes for everyone")
		for _, c := range members {
			if !take(ctx, c) {
				return false
			}
		}
		return true
	}

	add(10)
	first, cancelFirst := context.WithTimeout(ctx, readTimeout)
	defer cancelFirst()
	require.Truef(t, post(first), "a room of 10 members: a post, then waiting for it in every member's queue (client.send): not all had it within %v; want it in each (look at %s)", readTimeout, roomFiles)
	for range historySize { // a full history, so that both counts below are of the same work
		require.Truef(t, post(ctx), "a room of 10 members stopped delivering: a post did not reach every queue (look at %s)", roomFiles)
	}
	perMessage := func(n int) float64 {
		add(n)
		ok := true
		allocs := testing.AllocsPerRun(100, func() {
			ok = ok && post(ctx)
		})
		require.Truef(t, ok, "a room of %d members stopped delivering: a post did not reach every queue (look at %s)", n, roomFiles)
		return allocs
	}
	few, many := perMessage(10), perMessage(200)
	t.Logf("allocations per message: %.1f with 10 members, %.1f with 200", few, many)
	// A copy for each member costs 190 more; the margin is for what other
	// goroutines allocate meanwhile (AllocsPerRun counts the whole process).
	require.LessOrEqualf(t, many, few+20, "allocations per message: %.1f with 10 members, %.1f with 200; want about the same: encode each message once and queue the same []byte for every member, never a copy or an encoding each (look at room.go: run and broadcast)", few, many)
}
