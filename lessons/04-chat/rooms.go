package main

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"
)

// errTooManyRooms refuses a new room past -max-rooms, when every room has
// someone in it.
var errTooManyRooms = errors.New("too many rooms: join one that exists")

// rooms starts each room's owner on first use and forgets it when its run
// returns: at shutdown, or when its last member leaves a room that holds no
// messages, which has nothing to keep. -max-rooms bounds the rooms kept at
// once; at the limit a new room takes the place of the room joined least
// recently that nobody is in, its history with it, so that rooms filled
// with messages and left cannot lock everyone out. This file is given: the
// rooms themselves are yours, in room.go.
type rooms struct {
	ctx   context.Context // done when the server shuts down
	epoch string          // this run of the server (see newEpoch)
	max   int             // -max-rooms

	mu      sync.Mutex
	byName  map[string]*held
	gets    uint64         // counts gets: the clock of held.used
	closed  bool           // wait has begun: no new room may start
	running sync.WaitGroup // one for each room's run
}

// held is a room as rooms keeps it, a channel closed once its run has
// returned and it is forgotten, and when it was last joined.
type held struct {
	r     *room
	ended chan struct{}
	used  uint64
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
	for {
		rs.mu.Lock()
		if rs.closed || rs.ctx.Err() != nil {
			rs.mu.Unlock()
			return nil, errStopped
		}
		rs.gets++
		if h, ok := rs.byName[name]; ok {
			h.used = rs.gets
			rs.mu.Unlock()
			return h, nil
		}
		if len(rs.byName) < rs.max {
			h := rs.start(name)
			rs.mu.Unlock()
			return h, nil
		}
		byUse := slices.SortedFunc(maps.Values(rs.byName), func(a, b *held) int { return cmp.Compare(a.used, b.used) })
		rs.mu.Unlock()
		if !makeRoom(byUse) {
			return nil, errTooManyRooms
		}
	}
}

// start starts the room called name; rs.mu is held.
func (rs *rooms) start(name string) *held {
	h := &held{r: newRoom(name, rs.epoch), ended: make(chan struct{}), used: rs.gets}
	rs.byName[name] = h
	rs.running.Go(func() {
		defer close(h.ended)
		h.r.run(rs.ctx)
		rs.mu.Lock()
		delete(rs.byName, name)
		rs.mu.Unlock()
	})
	return h
}

// makeRoom asks the rooms, least recently joined first, to end if nobody is
// in them, and reports whether one did. That room is forgotten when it
// returns.
func makeRoom(byUse []*held) bool {
	for _, h := range byUse {
		if h.r.retire() {
			<-h.ended
			return true
		}
	}
	return false
}

// wait waits at most d for every room's run to return after ctx is done,
// and reports whether they all did. No room starts once it has begun.
func (rs *rooms) wait(d time.Duration) bool {
	rs.mu.Lock()
	rs.closed = true
	rs.mu.Unlock()
	return waitTimeout(&rs.running, d)
}
