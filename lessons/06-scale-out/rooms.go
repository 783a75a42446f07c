package main

import (
	"context"
	"errors"
	"sync"
	"time"
)

// maxRooms bounds the rooms one instance follows at once. Each room is a
// goroutine, a JetStream consumer, a presence watcher and up to historySize
// messages, and anyone may name a new one; past this many, joining a new
// room is refused. A room nobody is in is let go after -room-idle, so the
// bound is on rooms in use, not on every name ever tried.
const maxRooms = 10_000

// errTooManyRooms refuses a new room past maxRooms.
var errTooManyRooms = errors.New("too many rooms: join one that exists")

// rooms starts each room's run on first use and stops it once nobody on this
// instance has been in it for -room-idle; a room whose run fails (NATS
// unreachable) is forgotten, so that the next join tries again. This file
// is given: the rooms themselves are yours, in room.go.
type rooms struct {
	ctx    context.Context // done when the server shuts down
	broker *broker
	logf   func(format string, args ...any)
	idle   time.Duration // how long a room nobody holds lives on

	mu      sync.Mutex
	byName  map[string]*held
	closed  bool           // wait has begun: no new room may start
	running sync.WaitGroup // one for each room's run
}

// held is a room as rooms keeps it: its run's stop, and the connections
// that hold it (joining, or members), which keep it from being let go.
type held struct {
	r     *room
	stop  context.CancelFunc
	users int
	idle  *time.Timer // counting down while users is 0
}

func newRooms(ctx context.Context, b *broker, idle time.Duration, logf func(string, ...any)) *rooms {
	return &rooms{ctx: ctx, broker: b, idle: idle, logf: logf, byName: make(map[string]*held)}
}

// enter returns the room called name, starting it if it is new, held for
// the caller until it calls release: a room is let go only when nobody
// holds it. It fails with errStopped once the server is shutting down, and
// with errTooManyRooms when there are maxRooms rooms already and this would
// be one more.
func (rs *rooms) enter(name string) (r *room, release func(), err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed || rs.ctx.Err() != nil {
		return nil, nil, errStopped
	}
	h, ok := rs.byName[name]
	if !ok {
		if len(rs.byName) >= maxRooms {
			return nil, nil, errTooManyRooms
		}
		h = rs.start(name)
	}
	h.users++
	if h.idle != nil {
		h.idle.Stop() // if it has fired already, it finds a user and does nothing
		h.idle = nil
	}
	var once sync.Once
	return h.r, func() { once.Do(func() { rs.release(name, h) }) }, nil
}

// start runs a new room; rs.mu is held.
func (rs *rooms) start(name string) *held {
	ctx, stop := context.WithCancel(rs.ctx)
	h := &held{r: newRoom(name, rs.broker, rs.logf), stop: stop}
	rs.byName[name] = h
	rs.running.Go(func() {
		defer stop()
		h.r.run(ctx)
		rs.mu.Lock()
		if rs.byName[name] == h {
			delete(rs.byName, name)
		}
		rs.mu.Unlock()
	})
	return h
}

// release gives h back; the last one out starts its idle countdown.
func (rs *rooms) release(name string, h *held) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	h.users--
	if h.users > 0 || rs.byName[name] != h {
		return
	}
	h.idle = time.AfterFunc(rs.idle, func() {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		// Nobody came meanwhile: no one can find it from now on, and its
		// run ends as at shutdown, its consumer and watcher stopped.
		if h.users == 0 && rs.byName[name] == h {
			delete(rs.byName, name)
			h.stop()
		}
	})
}

// wait waits at most d for every room's run to return after ctx is done,
// and reports whether they all did. No room starts once it has begun.
func (rs *rooms) wait(d time.Duration) bool {
	rs.mu.Lock()
	rs.closed = true
	for _, h := range rs.byName {
		if h.idle != nil {
			h.idle.Stop()
		}
	}
	rs.mu.Unlock()
	return waitTimeout(&rs.running, d)
}
