package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// historySize is how many of its last messages a room keeps for those who
// join or come back.
const historySize = 50

// errStopped: the room has stopped: the server is shutting down, or the
// room ended empty (rooms.go then starts it anew for the joiner).
var errStopped = errors.New("server shutting down")

// room is one chat room. One goroutine, run, owns its members, its history
// and its message ids; join, leave and post hand their work to it over
// channels. Taking the messages one at a time, it gives each an id, keeps it
// and queues it for every member, so all of them get every message once and
// in the same order, and a joiner's history and live messages meet with no
// gap and no overlap.
type room struct {
	name    string
	epoch   string
	joins   chan joining
	leaves  chan *client
	posts   chan post
	retires chan chan bool
	stopped chan struct{} // closed when run returns: join, leave and post give up
}

// joining asks run to let c in; the answer comes on reply.
type joining struct {
	c     *client
	req   joinRequest
	reply chan error
}

// post is a message from a member.
type post struct {
	from *client
	text string
}

func newRoom(name, epoch string) *room {
	return &room{
		name:    name,
		epoch:   epoch,
		joins:   make(chan joining),
		leaves:  make(chan *client),
		posts:   make(chan post),
		retires: make(chan chan bool),
		stopped: make(chan struct{}),
	}
}

// run owns the room until ctx is done, until its last member leaves and it
// holds no messages, or until rooms.go needs its place and nobody is in it. It never waits for a member: one whose queue is
// full is evicted, so that a slow reader holds up nobody.
func (r *room) run(ctx context.Context) {
	defer close(r.stopped)
	members := make(map[string]*client)
	var history []message
	var lastID int64
	for {
		select {
		case j := <-r.joins:
			if _, taken := members[j.c.name]; taken {
				j.reply <- fmt.Errorf("name %q is taken in room %q", j.c.name, r.name)
				continue
			}
			// The welcome goes first into an empty queue, so this send never
			// waits, and nothing can come between it and the messages that
			// follow. It is not counted in queued (client.go).
			j.c.send <- encode(r.welcome(j.c.name, members, history, j.req))
			r.broadcast(members, encode(presence{Type: "join", Room: r.name, Name: j.c.name}))
			members[j.c.name] = j.c
			j.reply <- nil
		case c := <-r.leaves:
			if members[c.name] == c { // not evicted already
				delete(members, c.name)
				r.broadcast(members, encode(presence{Type: "leave", Room: r.name, Name: c.name}))
			}
			if len(members) == 0 && len(history) == 0 {
				// Nobody here and nothing said: the room holds nothing, and
				// ends. A join on its way gets errStopped, and rooms.go
				// starts the room anew for it.
				return
			}
		case p := <-r.posts:
			if members[p.from.name] != p.from {
				continue // evicted while its message was on the way
			}
			lastID++
			m := message{Type: "message", ID: lastID, Room: r.name, From: p.from.name, Text: p.text, At: time.Now().UTC()}
			history = append(history, m)
			if len(history) > historySize {
				// Copy down rather than reslice, so the array does not grow.
				history = history[:copy(history, history[len(history)-historySize:])]
			}
			r.broadcast(members, encode(m))
		case reply := <-r.retires:
			// A room nobody is in gives way to a new one, its history
			// with it; one with members stays.
			reply <- len(members) == 0
			if len(members) == 0 {
				return
			}
		case <-ctx.Done():
			return // every writer sees the same shutdown and says 1001
		}
	}
}

// welcome is what a joiner gets first: the members, itself included, and
// the history it has not seen.
func (r *room) welcome(name string, members map[string]*client, history []message, req joinRequest) welcome {
	names := []string{name}
	for n := range members {
		names = append(names, n)
	}
	slices.Sort(names)
	// A client resuming in this epoch has seen the messages up to since.
	// From another epoch (the server restarted, ids started over) it gets
	// everything kept, as does one whose since is older than the history.
	start := 0
	if req.resume && (req.epoch == "" || req.epoch == r.epoch) {
		// The first message after since; not a search for since+1, which
		// overflows when since is the largest int64.
		start = sort.Search(len(history), func(i int) bool { return history[i].ID > req.since })
	}
	return welcome{
		Type:    "welcome",
		You:     name,
		Room:    r.name,
		Epoch:   r.epoch,
		Members: names,
		History: append([]message{}, history[start:]...), // never null
	}
}

// broadcast queues data for every member, without waiting. A member whose
// queue is full, in bytes or in messages, is evicted: its queue is closed,
// which tells its writer to close with 1008, and the others are told it
// left.
func (r *room) broadcast(members map[string]*client, data []byte) {
	var evicted []string
	for name, c := range members {
		if !queue(c, data) {
			delete(members, name)
			close(c.send)
			evicted = append(evicted, name)
		}
	}
	for _, name := range evicted {
		r.broadcast(members, encode(presence{Type: "leave", Room: r.name, Name: name}))
	}
}

// queue puts data in c's queue and reports true, or reports false without
// waiting when c is too far behind: queueBytes of messages already wait for
// it, or queueSize of them.
func queue(c *client, data []byte) bool {
	if c.queued.Load()+int64(len(data)) > queueBytes {
		return false
	}
	select {
	case c.send <- data:
		c.queued.Add(int64(len(data)))
		return true
	default:
		return false
	}
}

// join asks the room to let c in with the welcome req asks for. It returns
// why not: the name is taken, or the room has stopped (errStopped).
func (r *room) join(c *client, req joinRequest) error {
	reply := make(chan error, 1)
	select {
	case r.joins <- joining{c: c, req: req, reply: reply}:
		return <-reply
	case <-r.stopped:
		return errStopped
	}
}

// leave takes c out of the room, if it is still in.
func (r *room) leave(c *client) {
	select {
	case r.leaves <- c:
	case <-r.stopped:
	}
}

// retire asks the room to end if nobody is in it, to make way for a new
// room, and reports whether it has ended.
func (r *room) retire() bool {
	reply := make(chan bool, 1)
	select {
	case r.retires <- reply:
		return <-reply
	case <-r.stopped:
		return true
	}
}

// post sends c's text to every member, c included.
func (r *room) post(c *client, text string) {
	select {
	case r.posts <- post{from: c, text: text}:
	case <-r.stopped:
	}
}
