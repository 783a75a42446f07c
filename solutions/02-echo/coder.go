package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// errCoderNotUTF8 ends a connection to /ws/coder that sent a text message
// that is not UTF-8. (gorilla.go has its own, so that each file stands alone.)
var errCoderNotUTF8 = errors.New("text message is not valid UTF-8")

// serveCoder answers /ws/coder with coder/websocket.
//
// coder/websocket takes a context on every call that may block, and lets
// Write, Ping and Close run beside the one goroutine that reads. This
// handler's goroutine reads and writes the echoes; coderKeepalive pings, and
// closes with 1001 at shutdown.
func (s *server) serveCoder(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		// Accept checks the Origin itself; these patterns make it apply the
		// same rule as /ws (see origin.go).
		OriginPatterns: s.cfg.origins.acceptPatterns(r),
	})
	if err != nil {
		return // Accept has answered with an HTTP error (403 for a foreign Origin)
	}
	// Every way out closes the connection; after a Close it does nothing.
	defer c.CloseNow()
	c.SetReadLimit(maxMessageSize)

	// ctx ends when this handler returns or the server shuts down.
	ctx, cancel := context.WithCancel(s.closing)
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		s.coderKeepalive(ctx, c)
	}()
	defer func() {
		cancel()
		<-kept
	}()

	err = s.echoCoder(c)
	switch {
	case websocket.CloseStatus(err) != -1:
		// The peer closed, and Reader has answered with the same code.
	case errors.Is(err, websocket.ErrMessageTooBig):
		// The read limit has sent 1009; Close waits for the peer's answer.
		c.Close(websocket.StatusMessageTooBig, "")
	case errors.Is(err, errCoderNotUTF8):
		c.Close(websocket.StatusInvalidFramePayloadData, err.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.Is(err, context.DeadlineExceeded):
		// The peer went away, or stopped reading or answering pings: no
		// close frame would reach it.
	default:
		// A frame RFC 6455 forbids: coder has sent 1002 for some (reserved
		// bits, an unknown opcode), and Close then only waits; not for an
		// unmasked frame or a length with its top bit set.
		c.Close(websocket.StatusProtocolError, "")
	}
}

// echoCoder writes back every message until reading or writing fails, and
// returns why.
func (s *server) echoCoder(c *websocket.Conn) error {
	var buf bytes.Buffer // reused for every message of this connection
	for {
		// No timeout on reading: a peer may stay quiet as long as it answers
		// pings, and coderKeepalive drops one that does not. (A read's
		// context must not carry shutdown either: cancelling it drops the
		// connection without a close frame.)
		typ, r, err := c.Reader(context.Background())
		if err != nil {
			return err
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return err // wraps websocket.ErrMessageTooBig past the limit
		}
		// coder/websocket does not check that text is UTF-8 either.
		if typ == websocket.MessageText && !utf8.Valid(buf.Bytes()) {
			return errCoderNotUTF8
		}
		// A timeout on every write, so that a peer that stops reading
		// cannot hold this goroutine for ever.
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.writeWait)
		err = c.Write(ctx, typ, buf.Bytes())
		cancel()
		if err != nil {
			return err
		}
	}
}

// coderKeepalive pings c every pingPeriod and drops it when a pong does not
// come within pongWait. When ctx ends because the server is shutting down, it
// closes c with 1001.
func (s *server) coderKeepalive(ctx context.Context, c *websocket.Conn) {
	t := time.NewTicker(s.cfg.pingPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if s.closing.Err() != nil {
				// Close writes the close frame and waits for the peer's,
				// which the reading goroutine receives.
				c.Close(websocket.StatusGoingAway, "server shutting down")
			}
			return
		case <-t.C:
		}
		// Ping returns when the pong arrives, which needs a goroutine in
		// Reader: echoCoder is always there.
		pctx, cancel := context.WithTimeout(ctx, s.cfg.pongWait)
		err := c.Ping(pctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			c.CloseNow() // no pong in time: the peer is gone
			return
		}
	}
}
