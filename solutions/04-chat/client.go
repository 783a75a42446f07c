package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// A member's queue is bounded twice: by bytes, which tell a member that
// stopped reading, and by count, above the largest burst a room absorbs (20
// members sending the rate limit's burst at once: 400 messages, and the
// joins before them). The welcome, up to about 300 KB, is not counted.
const (
	queueSize  = 512
	queueBytes = 256 << 10
)

// errTooMany answers a message over the rate limit.
var errTooMany = fmt.Errorf("too many messages: at most %d a second, bursts of %d", messageRate, messageBurst)

// client is one connection as its room sees it. The room touches name and
// send only: TestEncodeOnce and TestEvicted make clients with just these.
type client struct {
	name string
	conn *websocket.Conn
	// send is the member's queue. Its room is its only sender, and closes it
	// when it evicts the member; writePump is its only receiver.
	send chan []byte
	// queued is the bytes of the messages in send after the welcome: the
	// room adds each message's length as it queues it, writePump takes it
	// away as it takes the message.
	queued atomic.Int64
	// replies carries the reader's error messages to writePump.
	replies chan []byte
	gone    chan struct{} // closed when writePump returns
}

// serveWS accepts a connection to /ws, checks what it asks for, joins it to
// its room and runs it: readPump on this goroutine, writePump and keepalive
// on two others.
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
		s.refuse(conn, err)
		return
	}
	c := &client{name: req.name, conn: conn, send: make(chan []byte, queueSize),
		replies: make(chan []byte), gone: make(chan struct{})}
	rm, err := s.rooms.join(c, req)
	if errors.Is(err, errStopped) {
		conn.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	if err != nil { // a taken name, too many rooms
		s.refuse(conn, err)
		return
	}

	// ctx ends when reading is over, and with it the two other goroutines.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.writePump(ctx, c) })
	wg.Go(func() { s.keepalive(ctx, conn) })
	err = s.readPump(c, rm)
	rm.leave(c)
	if errors.Is(err, websocket.ErrMessageTooBig) {
		// The read limit has sent 1009; Close waits for the peer's answer.
		conn.Close(websocket.StatusMessageTooBig, "")
	}
	// Reading is over, and so is the connection: a write blocked on a peer
	// that stopped reading, or a ping waiting for its pong, returns at once.
	conn.CloseNow()
	cancel()
	wg.Wait()
}

// refuse answers a connection the server will not serve: an error message,
// then a close 1008 with the same reason. wsjson.Write marshals and writes in
// one call, which is all a single message needs.
func (s *server) refuse(conn *websocket.Conn, reason error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.writeWait)
	defer cancel()
	if err := wsjson.Write(ctx, conn, errorMessage{Type: "error", Error: reason.Error()}); err != nil {
		return
	}
	conn.Close(websocket.StatusPolicyViolation, reason.Error())
}

// readPump reads c's messages and posts each to the room, until reading
// fails; it returns why. A message that is refused gets an error message and
// the connection stays open.
func (s *server) readPump(c *client, rm *room) error {
	limit := newTokenBucket(messageRate, messageBurst, time.Now())
	for {
		// No timeout on reading: a member may stay quiet as long as it
		// answers pings, and keepalive drops one that does not. (Not
		// wsjson.Read either: it closes the connection on invalid JSON.)
		typ, data, err := c.conn.Read(context.Background())
		if err != nil {
			return err // wraps websocket.ErrMessageTooBig past the limit
		}
		// Every message counts against the limit, valid or not, so that
		// nobody floods the server with messages it refuses.
		err = errTooMany
		if limit.allow(time.Now()) {
			var text string
			if text, err = parseInbound(typ, data); err == nil {
				rm.post(c, text)
				continue
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
	// The welcome is first in the queue, and must be the first message out,
	// before any reply to what the client sent at once. Until it is written
	// replies is nil, and a nil channel is never ready in a select.
	var replies chan []byte
	for {
		var data []byte
		select {
		case d, ok := <-c.send:
			if !ok {
				// Evicted. Close writes the close frame and waits for the
				// answer, which readPump receives.
				c.conn.Close(websocket.StatusPolicyViolation, "too slow")
				return
			}
			if replies != nil { // past the welcome, which is not counted
				c.queued.Add(-int64(len(d)))
			}
			data = d
		case data = <-replies:
		case <-s.closing.Done():
			c.conn.Close(websocket.StatusGoingAway, "server shutting down")
			return
		case <-ctx.Done():
			return
		}
		// A timeout on every write, so that a member that stops reading
		// cannot hold this goroutine for ever.
		wctx, cancel := context.WithTimeout(context.Background(), s.cfg.writeWait)
		err := c.conn.Write(wctx, websocket.MessageText, data)
		cancel()
		if err != nil {
			c.conn.CloseNow() // the reader ends too
			return
		}
		replies = c.replies
	}
}

// keepalive pings conn every pingPeriod until ctx is done, and drops it when
// a pong does not come within pongWait. Ping returns when the pong arrives,
// which needs readPump reading at the same time; coder/websocket lets Ping
// write beside writePump.
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
