package main

import (
	"errors"
	"sync/atomic"

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
// until reading fails; it returns why. serveClient (main.go) answers errBinary
// with 1003, errNotUTF8 with 1007 and websocket.ErrReadLimit by hanging up
// after gorilla's own 1009.
//
// TODO: TestBroadcast. Read each message and hand it to s.hub.publish. Only
// text is broadcast: return errBinary for anything else.
//
// TODO: TestKeepalive. A read deadline of pingPeriod+pongWait that every pong
// moves on, so that a peer that stops answering pings is dropped.
//
// TODO: TestLimits. A read limit of maxMessageSize, and errNotUTF8 for text
// that is not UTF-8: the hub would pass it on to every browser.
func (s *server) readPump(c *client) error {
	return errors.New("readPump is not written yet: see the TODOs in client.go")
}

// writePump is the connection's only writer. It returns when done is closed
// (reading is over), or once it has closed the connection.
//
// TODO: TestBroadcast. Write every message of the queue, each as its own
// WebSocket message (WritePreparedMessage), never joined with others, and
// return as soon as done is closed: serveClient (main.go) waits for it.
// Optional, for speed (README, "Performance"): when more messages wait in the
// queue, write them as one batch, c.out.hold() before and c.out.flush()
// after, so that they leave with one system call.
//
// TODO: TestKeepalive. Ping every s.cfg.pingPeriod. This goroutine writes
// everything, pings included: no other goroutine may.
//
// TODO: TestLimits. When a write fails with websocket.ErrCloseSent, the
// reader has sent a close frame (gorilla's 1009) and is ending: return, and
// leave the connection to serveClient, which ends it in order. Closed here,
// with the rest of the client's message unread, it would be reset.
//
// TODO: TestShutdown. When s.closing is done, send a close frame with 1001
// (going away), give the peer s.cfg.closeWait to answer, then close. If even
// the close frame cannot be written, drop the connection.
//
// TODO: TestWriteDeadline. A deadline (s.cfg.writeWait) before every write: a
// peer that stops reading must not hold this goroutine for ever. When any
// other write fails, close the connection (c.conn.Close), so that readPump
// ends now, not at its read deadline.
//
// TODO: TestSlowClient. Take each message's size off c.queued as you take the
// message from the queue. When the hub has evicted the client (closed its
// queue), the same goodbye as at shutdown, with 1008 (policy violation) and
// the reason "too slow".
func (s *server) writePump(c *client, done <-chan struct{}) {
	<-done
}
