package main

import (
	"context"

	"github.com/gorilla/websocket"
)

// hub fans every message out to every client. One goroutine, run, owns the
// set of clients; the others talk to it through channels, so nothing else
// touches the set and no lock guards it. The order in which run takes the
// messages is the order every client receives them.
type hub struct {
	joins    chan *client
	leaves   chan *client
	messages chan *message
	stopped  chan struct{} // closed when run returns: join, leave and publish give up
}

func newHub() *hub {
	return &hub{
		joins:    make(chan *client),
		leaves:   make(chan *client),
		messages: make(chan *message),
		stopped:  make(chan struct{}),
	}
}

// run owns the clients until ctx is done. A client whose queue is full, in
// bytes or in messages, is evicted, never waited for: one slow reader must
// not hold up the others.
func (h *hub) run(ctx context.Context) {
	defer close(h.stopped)
	clients := make(map[*client]struct{})
	for {
		select {
		case c := <-h.joins:
			clients[c] = struct{}{}
		case c := <-h.leaves:
			delete(clients, c)
		case m := <-h.messages:
			for c := range clients {
				if !queue(c, m) {
					delete(clients, c)
					close(c.send) // writePump says 1008 and hangs up
				}
			}
		case <-ctx.Done():
			// The queues stay open: writePump sees the same shutdown and
			// says 1001, where a closed queue would say 1008.
			return
		}
	}
}

// queue puts m in c's queue and reports true, or reports false without
// waiting when c is too far behind: m would take the bytes waiting for it
// past queueBytes, or queueSize messages wait already.
func queue(c *client, m *message) bool {
	if c.queued.Load()+int64(m.size) > queueBytes {
		return false
	}
	select {
	case c.send <- m:
		c.queued.Add(int64(m.size))
		return true
	default:
		return false
	}
}

// join adds c to the hub. It reports false once the hub has stopped.
func (h *hub) join(c *client) bool {
	select {
	case h.joins <- c:
		return true
	case <-h.stopped:
		return false
	}
}

// leave takes c out of the hub, if it is still in.
func (h *hub) leave(c *client) {
	select {
	case h.leaves <- c:
	case <-h.stopped:
	}
}

// publish sends data to every client as one text message. It frames the
// message once, here, for all of them: a PreparedMessage holds the bytes of
// the frame, and every writer writes the same bytes.
func (h *hub) publish(data []byte) {
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		return // only compression can fail, and it is off
	}
	select {
	case h.messages <- &message{pm: pm, size: len(data)}:
	case <-h.stopped:
	}
}
