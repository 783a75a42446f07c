package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// This file is lesson 04's client.go with three changes: the name is claimed
// in NATS (presence.go) before the room lets the client in, a message goes
// to NATS (room.post) instead of to the room's goroutine, and the claim is
// released when the connection ends. It is given.

// queueSize is how many messages may wait for one member's writer; past it
// the member is evicted.
const queueSize = 256

// errNameLost tells a member that its name is another's now.
var errNameLost = errors.New("your name was taken while the chat could not reach its broker: join with another")

// errNotSent answers a message NATS did not take in time.
var errNotSent = errors.New("not sent, try again")

// errTooMany answers a message over the rate limit.
var errTooMany = fmt.Errorf("too many messages: at most %d a second, bursts of %d", messageRate, messageBurst)

// client is one connection as its room sees it.
type client struct {
	name string
	conn *websocket.Conn
	// send is the member's queue. Its room is its only sender, and closes it
	// when it evicts the member; writePump is its only receiver.
	send chan []byte
	// closeCode and closeReason are what the writer closes with once send is
	// closed: 1008 "too slow" unless the room says otherwise with drop,
	// before it closes send.
	closeCode   websocket.StatusCode
	closeReason string
	// replies carries the reader's error messages to writePump.
	replies chan []byte
	// lost is closed when another member took the name while NATS could
	// not hear this instance (presence.go): the writer tells the member and
	// closes with 1008.
	lost <-chan struct{}
	gone chan struct{} // closed when writePump returns
}

// drop is how a room that can no longer deliver lets c go: its writer
// closes with code and reason. Only c's room calls it, once, instead of
// close(c.send).
func (c *client) drop(code websocket.StatusCode, reason string) {
	c.closeCode, c.closeReason = code, reason
	close(c.send) // what the writer reads after it, it reads set
}

// serveWS accepts a connection to /ws, checks what it asks for, claims the
// name, joins the room and runs it: readPump on this goroutine, writePump
// and keepalive on two others.
func (s *server) serveWS(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OriginPatterns: s.cfg.origins.acceptPatterns(r), // the rule of origin.go
	})
	if err != nil {
		return // Accept has answered with an HTTP error (403 for a foreign Origin)
	}
	defer conn.CloseNow() // every way out closes; after a Close it does nothing
	conn.SetReadLimit(maxMessageSize)

	req, err := parseJoin(r.URL.Query())
	if err != nil {
		s.refuse(conn, websocket.StatusPolicyViolation, err)
		return
	}
	rm, leaveRoom, err := s.rooms.enter(req.room)
	if err != nil {
		s.refuse(conn, websocket.StatusPolicyViolation, err)
		return
	}
	defer leaveRoom()
	rev, lost, err := s.claims.claim(s.closing, req.room, req.name)
	if errors.Is(err, errTaken) {
		s.refuse(conn, websocket.StatusPolicyViolation, err)
		return
	}
	if err != nil {
		s.unavailable(conn, req, err)
		return
	}
	defer s.claims.release(req.room, req.name)
	c := &client{name: req.name, conn: conn, send: make(chan []byte, queueSize),
		replies: make(chan []byte), lost: lost, gone: make(chan struct{})}
	if err := rm.join(c, req, rev); err != nil {
		s.unavailable(conn, req, err)
		return
	}

	// ctx ends when reading is over, and with it the two other goroutines.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.writePump(ctx, c) })
	wg.Go(func() { s.keepalive(ctx, conn) })
	err = s.readPump(c, rm)
	rm.leave(c)
	cancel()
	wg.Wait()
	if errors.Is(err, websocket.ErrMessageTooBig) {
		// The read limit has sent 1009; Close waits for the peer's answer.
		conn.Close(websocket.StatusMessageTooBig, "")
	}
}

// refuse answers a connection the server will not serve: an error message,
// then a close with code and the same reason; during shutdown (errStopped)
// a close 1001 only.
func (s *server) refuse(conn *websocket.Conn, code websocket.StatusCode, reason error) {
	if errors.Is(reason, errStopped) {
		conn.Close(websocket.StatusGoingAway, reason.Error())
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.writeWait)
	defer cancel()
	if err := wsjson.Write(ctx, conn, errorMessage{Type: "error", Error: reason.Error()}); err != nil {
		return
	}
	conn.Close(code, reason.Error())
}

// errUnavailable is what a client is told when NATS, not the client, keeps
// it out: the broker's own words (a timeout, a limit, an API error) are for
// the log, not for the page.
var errUnavailable = errors.New("the chat cannot reach its broker just now: try again")

// unavailable refuses a join that NATS failed with 1013 (try again later),
// which the page reconnects on, and logs why.
func (s *server) unavailable(conn *websocket.Conn, req joinRequest, err error) {
	if errors.Is(err, errStopped) {
		s.refuse(conn, websocket.StatusGoingAway, err)
		return
	}
	s.logf("room %s: %s not let in: %v", req.room, req.name, err)
	s.refuse(conn, websocket.StatusTryAgainLater, errUnavailable)
}

// readPump reads c's messages and publishes each to the room's subject,
// until reading fails; it returns why. A message that is refused, or that
// NATS did not take, gets an error message and the connection stays open.
func (s *server) readPump(c *client, rm *room) error {
	limit := newTokenBucket(messageRate, messageBurst, time.Now())
	for {
		typ, data, err := c.conn.Read(context.Background())
		if err != nil {
			return err // wraps websocket.ErrMessageTooBig past the limit
		}
		// Every message counts against the limit, valid or not.
		err = errTooMany
		if limit.allow(time.Now()) {
			var text string
			if text, err = parseInbound(typ, data); err == nil {
				// The message comes back to c, as to every member, when
				// the stream has taken it: not from here.
				if err = rm.post(s.closing, c, text); err == nil {
					continue
				}
				err = errNotSent // post has logged NATS's own words
			}
		}
		select {
		case c.replies <- encodeError(err):
		case <-c.gone: // the writer has closed the connection
		}
	}
}

// writePump is the only goroutine that writes messages to c: its room's
// queue and its reader's replies, each under a timeout. It returns when ctx
// is done (reading is over), once it has closed the connection.
func (s *server) writePump(ctx context.Context, c *client) {
	defer close(c.gone)
	for {
		var data []byte
		select {
		case d, ok := <-c.send:
			if !ok {
				// Evicted, or dropped. Close writes the close frame and
				// waits for the answer, which readPump receives.
				code, reason := websocket.StatusPolicyViolation, "too slow"
				if c.closeCode != 0 {
					code, reason = c.closeCode, c.closeReason
				}
				c.conn.Close(code, reason)
				return
			}
			data = d
		case data = <-c.replies:
		case <-c.lost:
			s.refuse(c.conn, websocket.StatusPolicyViolation, errNameLost)
			return
		case <-s.closing.Done():
			c.conn.Close(websocket.StatusGoingAway, "server shutting down")
			return
		case <-ctx.Done():
			return
		}
		wctx, cancel := context.WithTimeout(context.Background(), s.cfg.writeWait)
		err := c.conn.Write(wctx, websocket.MessageText, data)
		cancel()
		if err != nil {
			c.conn.CloseNow() // the reader ends too
			return
		}
	}
}

// keepalive pings conn every pingPeriod until ctx is done, and drops it when
// a pong does not come within pongWait.
func (s *server) keepalive(ctx context.Context, conn *websocket.Conn) {
	t := time.NewTicker(s.cfg.pingPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, s.cfg.pongWait)
		err := conn.Ping(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			conn.CloseNow() // no pong in time: the peer is gone
			return
		}
	}
}
