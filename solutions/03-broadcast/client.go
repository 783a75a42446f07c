package main

import (
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// queueSize is how many messages may wait for one client's writer. Past it
// the client is evicted. A larger queue tolerates longer hiccups (a phone
// switching networks, a tab in the background) but holds more memory for
// every client, and a client that never catches up is found later.
const queueSize = 64

// client is one connection as the hub sees it.
type client struct {
	conn *websocket.Conn
	out  *batchConn // the connection under conn (batch.go); nil in TestEncodeOnce
	// send is the client's queue. The hub is its only sender, and closes it
	// when it evicts the client; writePump is its only receiver.
	send chan *websocket.PreparedMessage
}

func newClient(ws *websocket.Conn) *client {
	out, _ := ws.NetConn().(*batchConn)
	return &client{conn: ws, out: out, send: make(chan *websocket.PreparedMessage, queueSize)}
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
		case pm, ok := <-c.send:
			if !ok {
				s.goodbye(c, done, websocket.ClosePolicyViolation, "too slow")
				return
			}
			if err := s.writeQueued(c, pm); err != nil {
				ws.Close() // write errors are for good; the reader ends too
				return
			}
		case <-ping.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.cfg.writeWait)); err != nil {
				ws.Close()
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

// writeQueued writes pm and whatever else is queued already, each as a
// message of its own, but with one system call: while c.out holds, gorilla's
// writes only gather the frames, and flush sends them (batch.go).
func (s *server) writeQueued(c *client, pm *websocket.PreparedMessage) error {
	for {
		if len(c.send) > 0 { // more are waiting: gather them
			c.out.hold()
		}
		// A deadline on every write: a peer that stops reading fills the
		// TCP buffers, and the write would block for ever.
		c.conn.SetWriteDeadline(time.Now().Add(s.cfg.writeWait))
		if err := c.conn.WritePreparedMessage(pm); err != nil {
			c.out.flush()
			return err
		}
		if len(c.send) == 0 || c.out.held() >= maxBatch {
			return c.out.flush()
		}
		var ok bool
		if pm, ok = <-c.send; !ok {
			return c.out.flush() // evicted: writePump's next receive says so too
		}
	}
}

// goodbye sends a close frame and gives the peer closeWait to answer; the
// reader gets the answer and closes done. Where even the close frame cannot
// be written in time, the connection is dropped. A timer, not a read
// deadline, bounds the wait: pongs move the read deadline on.
func (s *server) goodbye(c *client, done <-chan struct{}, code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	if err := c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.cfg.writeWait)); err != nil {
		c.conn.Close()
		return
	}
	t := time.NewTimer(s.cfg.closeWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		c.conn.Close()
	}
}
