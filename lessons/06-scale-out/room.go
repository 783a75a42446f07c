package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// This file is given: it is the room's loop, which calls the pieces you
// write, one file each, in the order `make lesson-6` tests them:
// presence.go (claim), watch.go, welcome.go, members.go and deliver.go for
// TestWelcome; consume.go and post.go for TestChat; history.go for
// TestHistory; reconnect.go for TestNATSRestarts. README.md walks through
// this loop before the first step: read it, it is the lesson's design.

// historySize is how many of its last messages a room keeps for welcomes.
// The stream keeps more of them (streamKeep, broker.go), and a room follows
// them all from the first.
const historySize = 50

// Bounds on what a room holds and waits for. pullBatch is how many messages
// its consumer fetches ahead: a room that lags behind its subject holds at
// most that many, the rest wait in the stream. joinTimeout bounds how long
// a joiner waits for the room to see its claim, postTimeout a publish,
// setupTimeout a question to the stream, stopWait how long a stopping
// room waits for its consumer to let go, and retryWait the pause between
// tries while JetStream comes back.
const (
	pullBatch    = 64
	joinTimeout  = 5 * time.Second
	postTimeout  = 2 * time.Second
	setupTimeout = 5 * time.Second
	stopWait     = time.Second
	retryWait    = 100 * time.Millisecond
)

// errStopped: the room has stopped because the server is shutting down.
var errStopped = errors.New("server shutting down")

// room is one chat room as this instance sees it. One goroutine, run, owns
// its local members, its copy of the history and its view of the members
// on every instance. It learns of messages from the room's subject in the
// stream and of members from the presence bucket, both in the one order
// every instance sees, and passes each on to its local members: the
// instance that takes a message from a client never delivers it itself.
type room struct {
	name    string
	subject string
	b       *broker
	logf    func(format string, args ...any)
	joins   chan joining
	leaves  chan *client
	stopped chan struct{} // closed when run returns: join and leave give up
	err     error         // why run returned, set before stopped is closed
}

// joining asks run to let c in once it has seen the claim of revision rev
// and the message of sequence upTo; the answer comes on reply.
type joining struct {
	c     *client
	req   joinRequest
	rev   uint64
	upTo  int64
	reply chan error
}

// posted is what goes into the stream: the id and the time are the
// stream's own.
type posted struct {
	From string `json:"from"`
	Text string `json:"text"`
}

// watcher is a presence watcher with the end of its life: the context
// given to KeyValue.Watch is the watcher's lifetime, not only the question's.
type watcher struct {
	jetstream.KeyWatcher
	stop context.CancelFunc // ends the watch, and the goroutine nats.go keeps waiting on its context
}

func newRoom(name string, b *broker, logf func(string, ...any)) *room {
	return &room{
		name:    name,
		subject: roomSubject(name),
		b:       b,
		logf:    logf,
		joins:   make(chan joining),
		leaves:  make(chan *client),
		stopped: make(chan struct{}),
	}
}

// run follows the room until ctx is done, or NATS fails it.
func (r *room) run(ctx context.Context) {
	r.err = r.follow(ctx)
	if r.err == nil || ctx.Err() != nil {
		r.err = errStopped
	} else {
		r.logf("room %s: %v", r.name, r.err)
	}
	close(r.stopped)
}

// follow is run's work: it follows the room's subject from the first
// message the stream keeps, and takes messages, presence and local joins and
// leaves one at a time.
func (r *room) follow(ctx context.Context) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // on every way out, also the early ones below

	// The consumer hands messages over one at a time, on deliveries; while
	// the room is busy it stops, with at most pullBatch fetched ahead.
	deliveries := make(chan message)
	stopConsumer, err := r.consume(ctx, deliveries)
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	defer func() {
		cancel() // the consumer's callback stops waiting on deliveries
		stopConsumer()
	}()
	w, err := r.watch(ctx)
	if err != nil {
		return fmt.Errorf("watch presence: %w", err)
	}
	defer func() { w.stop() }() // the watcher of the moment, not the first

	var history []message
	var lastID int64                  // the sequence of the last message delivered
	local := make(map[string]*client) // members connected to this instance
	defer func() {
		// A room that can no longer deliver says so, or its members would
		// sit in a silent room. (At shutdown their writers close with 1001.)
		if err != nil && ctx.Err() == nil {
			r.dropAll(local)
		}
	}()
	names := make(map[string]bool) // members on every instance
	// While a watcher shows the keys there were when it started, what it
	// has shown: names is not the room's yet, and joiners wait. A key is
	// shown at its last revision, so a member's refresh comes after the
	// claim of a joiner who came later.
	fresh := make(map[string]bool)
	var seen uint64       // the last presence revision taken
	var waiting []joining // joiners the room has not caught up with
	back := r.b.reconnected()
	for {
		select {
		case <-back:
			// The consumer recovers by itself; a watcher can take many
			// seconds to notice, so the room starts a new one at once and
			// tells its members what changed while NATS was away.
			back = r.b.reconnected()
			if w, err = r.watchAgain(ctx, w); err != nil {
				return fmt.Errorf("watch presence again: %w", err)
			}
			fresh = make(map[string]bool)
		case j := <-r.joins:
			waiting = append(waiting, j)
		case c := <-r.leaves:
			if local[c.name] == c { // not evicted already
				delete(local, c.name)
			}
			waiting = slices.DeleteFunc(waiting, func(j joining) bool { return j.c == c })
		case m := <-deliveries:
			lastID = m.ID
			if m.Type != "" { // a chat message, not something else on the subject
				history = keep(history, m)
				r.broadcast(local, encode(m))
			}
		case e, ok := <-w.Updates():
			if !ok {
				if ctx.Err() != nil {
					return nil // the room is stopping, and its watcher with it
				}
				// nats.go ends a watch it could not carry across a
				// reconnect; a new one shows the keys as they are now.
				if w, err = r.watchAgain(ctx, w); err != nil {
					return fmt.Errorf("presence watch ended: %w", err)
				}
				fresh = make(map[string]bool)
				continue
			}
			if e == nil { // the end of the keys that were there at the start
				if fresh != nil {
					r.resync(local, names, fresh)
					names, fresh = fresh, nil
				}
				break
			}
			seen = e.Revision()
			if fresh != nil {
				if e.Operation() == jetstream.KeyValuePut {
					fresh[presenceName(e.Key())] = true
				}
				break
			}
			r.apply(local, names, e)
		case <-ctx.Done():
			return nil
		}
		// A joiner comes in once the room has seen its claim and every
		// message the stream held when it asked: its own join went to the
		// others before it, every member who claimed before it is in its
		// welcome, and so is every message sent before it came, whichever
		// instance took it.
		waiting = slices.DeleteFunc(waiting, func(j joining) bool {
			if fresh != nil || j.rev > seen || j.upTo > lastID {
				return false
			}
			// The welcome goes first into an empty queue.
			j.c.send <- encode(r.welcome(j.c.name, names, history, j.req))
			local[j.c.name] = j.c
			j.reply <- nil
			return true
		})
	}
}

// lastSeq is the sequence of the room's last message in the stream, 0 if
// it has none.
func (r *room) lastSeq(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	m, err := r.b.stream.GetLastMsgForSubject(ctx, r.subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last message: %w", err)
	}
	return int64(m.Sequence), nil
}

// join asks the room to let c in, claimed at revision rev, with the welcome
// req asks for. It returns why not: the room has stopped (errStopped), NATS
// failed it, or it did not see the claim in time.
func (r *room) join(c *client, req joinRequest, rev uint64) error {
	upTo, err := r.lastSeq(context.Background())
	if err != nil {
		return err
	}
	reply := make(chan error, 1)
	select {
	case r.joins <- joining{c: c, req: req, rev: rev, upTo: upTo, reply: reply}:
	case <-r.stopped:
		return r.err
	}
	t := time.NewTimer(joinTimeout)
	defer t.Stop()
	select {
	case err := <-reply:
		return err
	case <-r.stopped:
		return r.err
	case <-t.C:
		// Out of the room, whether or not it was let in meanwhile: a member
		// let in after its leave would be in no room's list, and hear nothing.
		r.leave(c)
		return errors.New("the room did not catch up with NATS in time: try again")
	}
}

// leave takes c out of the room, if it is still in.
func (r *room) leave(c *client) {
	select {
	case r.leaves <- c:
	case <-r.stopped:
	}
}
