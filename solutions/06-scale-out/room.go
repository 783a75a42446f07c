package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go/jetstream"
)

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

	// The consumer hands messages over one at a time; while the room is
	// busy it stops, with at most pullBatch fetched ahead.
	deliveries := make(chan message)
	cons, err := r.b.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{r.subject}})
	if err != nil {
		return fmt.Errorf("consumer: %w", err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		msg, err := r.decode(m)
		if err != nil {
			// Not ours (someone published by hand?): decode leaves it
			// without a type, so that the room counts it but sends it to
			// nobody.
			r.logf("room %s: skipping a message: %v", r.name, err)
		}
		select {
		case deliveries <- msg:
		case <-ctx.Done():
		}
	}, jetstream.PullMaxMessages(pullBatch))
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	defer func() {
		cancel()
		cc.Stop()
		// Closed comes once the consumer has let go, at once while NATS is
		// up; with NATS gone it may not, and shutdown must not wait on it.
		if !r.b.nc.IsConnected() {
			return
		}
		t := time.NewTimer(stopWait)
		defer t.Stop()
		select {
		case <-cc.Closed():
		case <-t.C:
		}
		// Stop leaves the consumer on the server until it has been idle
		// for its InactiveThreshold, five minutes: every room an instance
		// lets go would hold one of the server's consumers that long.
		if info := cons.CachedInfo(); info != nil {
			dctx, dcancel := context.WithTimeout(context.Background(), stopWait)
			defer dcancel()
			r.b.stream.DeleteConsumer(dctx, info.Name)
		}
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
		// sit in a silent room: their pages reconnect on 1013, to a room
		// that starts afresh, and resume with since. (At shutdown their
		// writers close with 1001.)
		if err != nil && ctx.Err() == nil {
			for _, c := range local {
				c.drop(websocket.StatusTryAgainLater, "the room lost its broker: reconnect")
			}
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
			if m.Type != "" {
				history = keep(history, m)
				r.broadcast(local, encode(m))
			}
		case e, ok := <-w.Updates():
			if !ok {
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
			name := presenceName(e.Key())
			if fresh != nil {
				if e.Operation() == jetstream.KeyValuePut {
					fresh[name] = true
				}
				break
			}
			switch e.Operation() {
			case jetstream.KeyValuePut:
				if !names[name] {
					names[name] = true
					r.broadcast(local, encode(presence{Type: "join", Room: r.name, Name: name}))
				}
			default: // deleted, or expired with its instance
				if names[name] {
					delete(names, name)
					r.broadcast(local, encode(presence{Type: "leave", Room: r.name, Name: name}))
				}
			}
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

// watcher is a presence watcher with the end of its life: the context
// given to KeyValue.Watch is the watcher's lifetime, not only the question's.
type watcher struct {
	jetstream.KeyWatcher
	stop context.CancelFunc // ends the watch, and the goroutine nats.go keeps waiting on its context
}

// watch starts a watcher of the room's presence that lives until ctx is
// done or it is stopped. The question to JetStream is bounded by
// setupTimeout; the watcher it starts is not.
func (r *room) watch(ctx context.Context) (*watcher, error) {
	ctx, stop := context.WithCancel(ctx)
	t := time.AfterFunc(setupTimeout, stop)
	kw, err := r.b.presence.Watch(ctx, token(r.name)+".*")
	if !t.Stop() && err == nil {
		err = errors.New("watch: started after its timeout") // and ended by it
	}
	if err != nil {
		stop()
		return nil, err
	}
	return &watcher{KeyWatcher: kw, stop: stop}, nil
}

// watchAgain replaces w with a new watcher of the room's presence, after
// NATS came back or the old watch ended. JetStream may answer a moment after
// the connection is up, while it reads its streams from disk, so it tries
// again for up to setupTimeout. It returns w when it fails, for the
// deferred stop.
func (r *room) watchAgain(ctx context.Context, w *watcher) (*watcher, error) {
	deadline := time.Now().Add(setupTimeout)
	for {
		again, err := r.watch(ctx)
		if err == nil {
			w.stop()
			return again, nil
		}
		if time.Now().After(deadline) {
			return w, err
		}
		select {
		case <-time.After(retryWait):
		case <-ctx.Done():
			return w, err
		}
	}
}

// resync tells the local members who came and went between what the room
// knew and what a new watcher shows.
func (r *room) resync(local map[string]*client, was, now map[string]bool) {
	for name := range was {
		if !now[name] {
			r.broadcast(local, encode(presence{Type: "leave", Room: r.name, Name: name}))
		}
	}
	for name := range now {
		if !was[name] {
			r.broadcast(local, encode(presence{Type: "join", Room: r.name, Name: name}))
		}
	}
}

// decode turns a stream message into a chat message: its id is the
// stream's sequence number, its time the stream's.
func (r *room) decode(m jetstream.Msg) (message, error) {
	meta, err := m.Metadata()
	if err != nil {
		return message{}, err
	}
	var p posted
	if err := json.Unmarshal(m.Data(), &p); err != nil {
		return message{ID: int64(meta.Sequence.Stream)}, fmt.Errorf("sequence %d: %w", meta.Sequence.Stream, err)
	}
	return message{Type: "message", ID: int64(meta.Sequence.Stream), Room: r.name, From: p.From, Text: p.Text, At: meta.Timestamp.UTC()}, nil
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

// keep appends m to history and drops what is older than the last
// historySize, copying down so that the array does not grow.
func keep(history []message, m message) []message {
	history = append(history, m)
	if len(history) > historySize {
		history = history[:copy(history, history[len(history)-historySize:])]
	}
	return history
}

// welcome is what a joiner gets first: the members on every instance,
// itself included, and the history it has not seen.
func (r *room) welcome(name string, names map[string]bool, history []message, req joinRequest) welcome {
	members := []string{name}
	for n := range names {
		if n != name {
			members = append(members, n)
		}
	}
	slices.Sort(members)
	// The epoch is the stream's: ids start over only with a new stream.
	start := 0
	if req.resume && (req.epoch == "" || req.epoch == r.b.epoch) {
		// The first message after since; not since+1, which overflows at
		// the largest id.
		var found bool
		start, found = slices.BinarySearchFunc(history, req.since, func(m message, id int64) int {
			return cmp.Compare(m.ID, id)
		})
		if found {
			start++
		}
	}
	return welcome{
		Type:    "welcome",
		You:     name,
		Room:    r.name,
		Epoch:   r.b.epoch,
		Members: members,
		History: append([]message{}, history[start:]...), // never null
	}
}

// broadcast queues data for every local member, without waiting. A member
// whose queue is full is evicted: its queue is closed, its writer closes
// with 1008, and its leave reaches everyone when its claim is released.
func (r *room) broadcast(local map[string]*client, data []byte) {
	for name, c := range local {
		select {
		case c.send <- data:
		default:
			delete(local, name)
			close(c.send)
		}
	}
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

// post publishes c's text to the room's subject. It comes back, with its
// id, to every member on every instance, c included, through run.
func (r *room) post(ctx context.Context, c *client, text string) error {
	ctx, cancel := context.WithTimeout(ctx, postTimeout)
	defer cancel()
	// Just after NATS is back, JetStream may not answer yet while it reads
	// its streams from disk ("no responders"): try again until postTimeout.
	// Every try carries the post's own id, so that JetStream stores one
	// message however many tries reached it.
	_, err := r.b.js.Publish(ctx, r.subject, encode(posted{From: c.name, Text: text}),
		jetstream.WithMsgID(rand.Text()),
		jetstream.WithRetryWait(retryWait), jetstream.WithRetryAttempts(int(postTimeout/retryWait)))
	if err != nil {
		r.logf("room %s: %s's message not sent: %v", r.name, c.name, err)
	}
	return err
}
