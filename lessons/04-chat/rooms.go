package main

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errTooManyRooms refuses a new room past -max-rooms.
var errTooManyRooms = errors.New("too many rooms: join one that exists")

// rooms starts each room's owner on first use and forgets it when its run
// returns: at shutdown, or when its last member leaves a room that holds no
// messages, which has nothing to keep. So -max-rooms bounds the rooms that
// hold members or history, not every name anyone ever tried. This file is
// given: the rooms themselves are yours, in room.go.
type rooms struct {
	ctx   context.Context // done when the server shuts down
	epoch string          // this run of the server (see newEpoch)
	max   int             // -max-rooms

	mu      sync.Mutex
	byName  map[string]*held
	closed  bool           // wait has begun: no new room may start
	running sync.WaitGroup // one for each room's run
}

// held is a room as rooms keeps it, and a channel closed once its run has
// returned and it is forgotten.
type held struct {
	r     *room
	ended chan struct{}
}

func newRooms(ctx context.Context, epoch string, max int) *rooms {
	return &rooms{ctx: ctx, epoch: epoch, max: max, byName: make(map[string]*held)}
}

// join lets c into the room req names, starting the room if it is new, and
// returns it; or why not: the room's answer (a taken name), errStopped once
// the server is shutting down, errTooManyRooms when there are -max-rooms
// already and this would be one more.
func (rs *rooms) join(c *client, req joinRequest) (*room, error) {
	for {
		h, err := rs.get(req.room)
		if err != nil {
			return nil, err
		}
		err = h.r.join(c, req)
		if errors.Is(err, errStopped) && rs.ctx.Err() == nil {
			// The room ended as c came, its last member gone: once it is
			// forgotten, the next get starts it anew.
			<-h.ended
			continue
		}
		return h.r, err
	}
}

// get returns the room called name, starting it if it is new.
func (rs *rooms) get(name string) (*held, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed || rs.ctx.Err() != nil {
		return nil, errStopped
	}
	if h, ok := rs.byName[name]; ok {
		return h, nil
	}
	if len(rs.byName) >= rs.max {
		return nil, errTooManyRooms
	}
	h := &held{r: newRoom(name, rs.epoch), ended: make(chan struct{})}
	rs.byName[name] = h
	rs.running.Go(func() {
		defer close(h.ended)
		h.r.run(rs.ctx)
		rs.mu.Lock()
		delete(rs.byName, name)
		rs.mu.Unlock()
	})
	return h, nil
}

// wait waits at most d for every room's run to return after ctx is done,
// and reports whether they all did. No room starts once it has begun.
func (rs *rooms) wait(d time.Duration) bool {
	rs.mu.Lock()
	rs.closed = true
	rs.mu.Unlock()
	return waitTimeout(&rs.running, d)
}
