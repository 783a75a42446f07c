package main

import (
	"errors"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// A client's queue is bounded twice (README, "Why bounded queues"): the hub
// evicts a client that has queueBytes of messages, or queueSize of them,
// waiting for its writer. The bytes tell a client that stopped reading, which
// falls behind by whatever is published, from one that reads while a burst of
// small messages goes out; the count, above the largest burst the hub must
// absorb (200 messages), costs 8 bytes a slot for every client, idle or not.
// A writer that makes no progress at all is dropped by its write deadline.
const (
	queueSize  = 256
	queueBytes = 1 << 20
)

// message is one broadcast, framed once for every client (hub.publish).
type message struct {
	pm   *websocket.PreparedMessage
	size int // the payload's length, counted against each queue's queueBytes
}

// client is one connection as the hub sees it.
type client struct {
	conn *websocket.Conn
	out  *batchConn // the connection under conn (batch.go); nil in TestEncodeOnce
	// send is the client's queue. The hub is its only sender, and closes it
	// when it evicts the client; writePump is its only receiver.
	send chan *message
	// queued is the bytes of the messages in send: the hub adds each
	// message's size as it queues it, writePump takes it away as it takes
	// the message.
	queued atomic.Int64
}

func newClient(ws *websocket.Conn) *client {
	out, _ := ws.NetConn().(*batchConn)
	return &client{conn: ws, out: out, send: make(chan *message, queueSize)}
}

// readPump reads the client's messages and publishes each through the hub,
// until reading fails; it returns why.
func (s *server) readPump(c *client) error {
	ws := c.conn
	ws.SetReadLimit(maxMessageSize)
	// A live peer answers each ping with a pong, and each pong moves the read
	// deadline on; a peer that stops answering hits it and is dropped.
	alive := func(string) error {
		return ws.SetReadDeadline(time.Now().Add(s.cfg.pingPeriod + s.cfg.pongWait))
	}
	alive("")
	ws.SetPongHandler(alive)
	for {
		// ReadMessage gives a new slice every time: publish may keep it.
		typ, msg, err := ws.ReadMessage()
		if err != nil {
			return err // websocket.ErrReadLimit past the limit
		}
		if typ != websocket.TextMessage {
			return errBinary
		}
		// Every browser would fail its connection on invalid UTF-8.
		if !utf8.Valid(msg) {
			return errNotUTF8
		}
		s.hub.publish(msg)
	}
}

// writePump is the connection's only writer: it writes the queue's messages,
// pings, and the close frame, until reading is over (done), the hub evicts
// the client or the server shuts down.
func (s *server) writePump(c *client, done <-chan struct{}) {
	ws := c.conn
	ping := time.NewTicker(s.cfg.pingPeriod)
	defer ping.Stop()
	for {
		select {
		case m, ok := <-c.send:
			if !ok {
				s.goodbye(c, done, websocket.ClosePolicyViolation, "too slow")
				return
			}
			if err := s.writeQueued(c, m); err != nil {
				writeFailed(ws, err)
				return
			}
		case <-ping.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.cfg.writeWait)); err != nil {
				writeFailed(ws, err)
				return
			}
		case <-s.closing.Done():
			s.goodbye(c, done, websocket.CloseGoingAway, "server shutting down")
			return
		case <-done:
			return
		}
	}
}

// maxBatch bounds the bytes writeQueued gathers for one system call.
const maxBatch = 32 << 10

// writeFailed ends the connection after a write to it failed, so that the
// reader ends too, at once, not at its read deadline: the peer has stopped
// reading, or the connection is broken. Unless the reader itself has sent a
// close frame (gorilla's 1009) and ended: serveClient (main.go) then closes
// the connection in order, and closing it here, with the rest of the peer's
// message unread, would reset it instead.
func writeFailed(ws *websocket.Conn, err error) {
	if !errors.Is(err, websocket.ErrCloseSent) {
		ws.Close()
	}
}

// writeQueued writes m and whatever else is queued already, each as a
// message of its own, but with one system call: while c.out holds, gorilla's
// writes only gather the frames, and flush sends them (batch.go).
func (s *server) writeQueued(c *client, m *message) error {
	for {
		c.queued.Add(-int64(m.size))
		if len(c.send) > 0 { // more are waiting: gather them
			c.out.hold()
		}
		// A deadline on every write: a peer that stops reading fills the
		// TCP buffers, and the write would block for ever.
		c.conn.SetWriteDeadline(time.Now().Add(s.cfg.writeWait))
		if err := c.conn.WritePreparedMessage(m.pm); err != nil {
			c.out.flush()
			return err
		}
		if len(c.send) == 0 || c.out.held() >= maxBatch {
			return c.out.flush()
		}
		m = <-c.send // one waits (len), even if the hub closed the queue behind it
	}
}

// goodbye sends a close frame, then FIN (nothing more will be written), and
// gives the peer closeWait to answer; the reader reads on, what the peer
// still sends and its answer, and closes done. Where even the close frame
// cannot be written in time, the connection is dropped. A timer, not a read
// deadline, bounds the wait: pongs move the read deadline on.
func (s *server) goodbye(c *client, done <-chan struct{}, code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	if err := c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.cfg.writeWait)); err != nil {
		writeFailed(c.conn, err)
		return
	}
	c.out.CloseWrite()
	t := time.NewTimer(s.cfg.closeWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		c.conn.Close()
	}
}
