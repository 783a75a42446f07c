package main

import (
	"errors"

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
// WebSocket message (WritePreparedMessage), never joined with others.
// Optional, for speed (README, "Performance"): when more messages wait in the
// queue, write them as one batch, c.out.hold() before and c.out.flush()
// after, so that they leave with one system call.
//
// TODO: TestKeepalive. Ping every s.cfg.pingPeriod. This goroutine writes
// everything, pings included: no other goroutine may.
//
// TODO: TestWriteDeadline. A deadline (s.cfg.writeWait) before every write: a
// peer that stops reading must not hold this goroutine for ever.
//
// TODO: TestSlowClient. When the hub has evicted the client, send a close
// frame with 1008 (policy violation) and the reason "too slow", give the peer
// s.cfg.closeWait to answer, then close. If even the close frame cannot be
// written, drop the connection.
//
// TODO: TestShutdown. When s.closing is done, the same with 1001 (going away).
func (s *server) writePump(c *client, done <-chan struct{}) {
	<-done
}
