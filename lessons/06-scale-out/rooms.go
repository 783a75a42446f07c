package main

import (
	"context"
	"errors"
	"sync"
	"time"
)

// maxRooms bounds the rooms one instance follows. Each room is a goroutine,
// a JetStream consumer, a presence watcher and up to historySize messages,
// and anyone may name a new one; past this many, joining a new room is
// refused.
const maxRooms = 10_000

// errTooManyRooms refuses a new room past maxRooms.
var errTooManyRooms = errors.New("too many rooms: join one that exists")

// rooms starts each room's run on first use and keeps it until ctx is done;
// a room whose run fails (NATS unreachable) is forgotten, so that the next
// join tries again. This file is given: the rooms themselves are yours, in
// room.go.
type rooms struct {
	ctx    context.Context // done when the server shuts down
	broker *broker
	logf   func(format string, args ...any)

	mu      sync.Mutex
	byName  map[string]*room
	closed  bool           // wait has begun: no new room may start
	running sync.WaitGroup // one for each room's run
}

func newRooms(ctx context.Context, b *broker, logf func(string, ...any)) *rooms {
	return &rooms{ctx: ctx, broker: b, logf: logf, byName: make(map[string]*room)}
}

// get returns the room called name, starting it if it is new. It fails with
// errStopped once the server is shutting down, and with errTooManyRooms
// when there are maxRooms rooms already and this would be one more.
func (rs *rooms) get(name string) (*room, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed || rs.ctx.Err() != nil {
		return nil, errStopped
	}
	if r, ok := rs.byName[name]; ok {
		return r, nil
	}
	if len(rs.byName) >= maxRooms {
		return nil, errTooManyRooms
	}
	r := newRoom(name, rs.broker, rs.logf)
	rs.byName[name] = r
	rs.running.Go(func() {
		r.run(rs.ctx)
		rs.mu.Lock()
		if rs.byName[name] == r {
			delete(rs.byName, name)
		}
		rs.mu.Unlock()
	})
	return r, nil
}

// wait waits at most d for every room's run to return after ctx is done,
// and reports whether they all did. No room starts once it has begun.
func (rs *rooms) wait(d time.Duration) bool {
	rs.mu.Lock()
	rs.closed = true
	rs.mu.Unlock()
	return waitTimeout(&rs.running, d)
}
