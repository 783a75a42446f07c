package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"time"
)

// config holds the periods of a connection. main sets them from flags; tests
// shorten them so that nothing waits for long.
type config struct {
	pingPeriod time.Duration // a peer silent this long is sent a ping
	pongWait   time.Duration // time a peer has to answer a ping, or to finish a frame it began
	writeWait  time.Duration // time allowed for one frame to be written
	closeWait  time.Duration // time the peer has to close after the server's close frame
}

// defaultConfig holds the periods main starts from; -ping-period, -pong-wait
// and -write-wait change the first three. At shutdown a connection takes at
// most writeWait+closeWait to say goodbye: with the defaults that stays under
// shutdownWait (main.go), after which the rest are cut off anyway.
var defaultConfig = config{
	pingPeriod: 30 * time.Second,
	pongWait:   10 * time.Second,
	writeWait:  2 * time.Second,
	closeWait:  time.Second,
}

// conn is one WebSocket connection after the handshake. A single goroutine,
// the one that runs serve (echo.go), reads from it and writes to it, so frames
// never interleave; the server only ever wakes it with wake.
type conn struct {
	nc   net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	cfg  config
	stop <-chan struct{} // closed when the server shuts down
}

// errShuttingDown is returned by setReadDeadline once the server shuts down.
var errShuttingDown = errors.New("server shutting down")

func newConn(nc net.Conn, brw *bufio.ReadWriter, cfg config, stop <-chan struct{}) *conn {
	// http.Server's read and write timeouts stay on a hijacked connection:
	// clear them, every read and write below sets its own.
	_ = nc.SetDeadline(time.Time{})
	return &conn{nc: nc, br: brw.Reader, bw: brw.Writer, cfg: cfg, stop: stop}
}

// serve runs the connection until it ends, then closes it the way the end
// calls for: a close frame with a code when there is someone to tell, just
// the TCP connection when the peer is gone or stuck.
func (c *conn) serve() {
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
func (c *conn) stopping() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// setReadDeadline sets the deadline of the next reads, or returns
// errShuttingDown. Checking stop after setting the deadline means a shutdown
// cannot slip in between and have its wake-up overwritten.
func (c *conn) setReadDeadline(t time.Time) error {
	if err := c.nc.SetReadDeadline(t); err != nil {
		return err
	}
	if c.stopping() {
		return errShuttingDown
	}
	return nil
}

// wake makes a blocked read return at once; the server calls it on shutdown,
// after closing stop, so that serve sees stopping() and says goodbye itself.
func (c *conn) wake() { _ = c.nc.SetReadDeadline(time.Now()) }

// send writes one frame with a write deadline, so a peer that stops reading
// cannot block the connection's goroutine forever.
func (c *conn) send(f frame) error {
	if err := c.nc.SetWriteDeadline(time.Now().Add(c.cfg.writeWait)); err != nil {
		return err
	}
	if err := writeFrame(c.bw, f); err != nil {
		return err
	}
	return c.bw.Flush()
}

// finish closes the TCP connection after the server's close frame. It shuts
// the sending side first and reads what the peer still sends (its close
// frame) until the peer closes or closeWait passes: closing a socket with
// unread data makes the kernel send a reset, which can destroy the close
// frame before the peer reads it.
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
