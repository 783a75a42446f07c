package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"time"
)

// conn is one WebSocket connection after the handshake. One goroutine, the
// one that runs serve, reads from it and writes to it, so frames never
// interleave; shutdown only wakes it.
type conn struct {
	nc      net.Conn
	br      *bufio.Reader
	bw      *bufio.Writer
	cfg     config
	closing context.Context // done when the server shuts down
}

// errShuttingDown is returned by setReadDeadline once the server shuts down.
var errShuttingDown = errors.New("server shutting down")

func newConn(nc net.Conn, brw *bufio.ReadWriter, cfg config, closing context.Context) *conn {
	// http.Server's read and write timeouts stay on a hijacked connection:
	// clear them, every read and write below sets its own.
	_ = nc.SetDeadline(time.Time{})
	return &conn{nc: nc, br: brw.Reader, bw: brw.Writer, cfg: cfg, closing: closing}
}

// serve runs the connection until it ends, then closes it the way the end
// calls for: a close frame with a code when there is someone to tell, just
// the TCP connection when the peer is gone or stuck.
func (c *conn) serve() {
	// At shutdown, a read deadline in the past wakes a blocked read.
	stopWaking := context.AfterFunc(c.closing, func() { _ = c.nc.SetReadDeadline(time.Now()) })
	defer stopWaking()
	err := c.echo()
	var ce *closeError
	switch {
	case errors.As(err, &ce):
		c.closeWith(ce.code, ce.reason)
	case errors.Is(err, errShuttingDown) || c.stopping():
		c.closeWith(closeGoingAway, "server shutting down")
	default: // the peer left, stalled or stopped answering pings
		c.drop()
	}
}

// stopping reports whether the server is shutting down.
func (c *conn) stopping() bool { return c.closing.Err() != nil }

// setReadDeadline sets the deadline of the next reads, or returns
// errShuttingDown. Checking after setting means a shutdown cannot slip in
// between and have its wake-up overwritten.
func (c *conn) setReadDeadline(t time.Time) error {
	if err := c.nc.SetReadDeadline(t); err != nil {
		return err
	}
	if c.stopping() {
		return errShuttingDown
	}
	return nil
}

// send writes one frame with a write deadline, so a peer that stops reading
// cannot block the connection's goroutine for ever.
func (c *conn) send(f frame) error {
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.cfg.writeWait)); err != nil {
		return err
	}
	if err := writeFrame(c.bw, f); err != nil {
		return err
	}
	return c.bw.Flush()
}

// finish closes the TCP connection after the server's close frame. It sends
// FIN first and reads what the peer still sends (its close frame, the rest
// of a message) until the peer closes too or closeWait passes: closing a
// socket with unread data makes the kernel send a reset, which can destroy
// the close frame before the peer reads it.
func (c *conn) finish() {
	if tc, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(c.cfg.closeWait))
	_, _ = io.Copy(io.Discard, c.nc)
	_ = c.nc.Close()
}

// drop closes the TCP connection without a close frame: the peer is gone or
// stuck, there is nobody to say goodbye to.
func (c *conn) drop() { _ = c.nc.Close() }

// isTimeout reports whether err is a read or write deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
