package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// errGorillaNotUTF8 ends a connection to /ws that sent a text message that is
// not UTF-8. (coder.go has its own, so that each file stands alone.)
var errGorillaNotUTF8 = errors.New("text message is not valid UTF-8")

// serveGorilla answers /ws with gorilla/websocket.
//
// A gorilla Conn allows one goroutine at a time in the read methods and one
// in the write methods (NextWriter, WriteMessage, SetWriteDeadline); only
// Close and WriteControl may be called from anywhere. So this handler's
// goroutine is the one reader and the one writer of messages: it reads a
// message and writes its echo. gorillaKeepalive, started here, sends pings and
// the shutdown close frame with WriteControl.
func (s *server) serveGorilla(w http.ResponseWriter, r *http.Request) {
	upgrader := websocket.Upgrader{
		CheckOrigin: s.cfg.origins.allowed,
		// By default a refusal says only "Forbidden"; say why.
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			http.Error(w, reason.Error(), status)
		},
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered with an HTTP error (403 for a foreign Origin)
	}
	defer ws.Close()

	ws.SetReadLimit(maxMessageSize)
	// A live peer answers each ping with a pong, and each pong moves the read
	// deadline on; a peer that stops answering hits it and is dropped.
	alive := func(string) error {
		return ws.SetReadDeadline(time.Now().Add(s.cfg.pingPeriod + s.cfg.pongWait))
	}
	alive("")
	ws.SetPongHandler(alive)
	// The default close handler answers a close frame with the same code;
	// NextReader then returns a *websocket.CloseError.

	done := make(chan struct{})
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		s.gorillaKeepalive(ws, done)
	}()
	defer func() {
		close(done)
		<-kept
	}()

	switch err := s.echoGorilla(ws); {
	case errors.Is(err, errGorillaNotUTF8):
		s.closeGorilla(ws, websocket.CloseInvalidFramePayloadData, err.Error())
	case errors.Is(err, websocket.ErrReadLimit):
		// Past the limit gorilla has sent 1009 itself, and refuses this
		// close (ErrCloseSent). A length no frame may have, its top bit
		// set, comes as ErrReadLimit too, with nothing sent.
		s.closeGorilla(ws, websocket.CloseProtocolError, "")
	}
	// Any other error: the peer closed (and gorilla answered), stopped
	// answering pings (the read deadline passed) or went away. Reading is
	// over either way: gorilla's read errors are permanent.
}

// echoGorilla writes back every message until reading fails, and returns why.
func (s *server) echoGorilla(ws *websocket.Conn) error {
	var buf bytes.Buffer // reused for every message of this connection
	for {
		typ, r, err := ws.NextReader()
		if err != nil {
			return err
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return err // websocket.ErrReadLimit past the limit
		}
		// Neither library checks that text is UTF-8, which RFC 6455 requires
		// (section 8.1). Check the whole message: a character may be split
		// across frames.
		if typ == websocket.TextMessage && !utf8.Valid(buf.Bytes()) {
			return errGorillaNotUTF8
		}
		// A write deadline before every write, so that a peer that stops
		// reading cannot hold this goroutine for ever.
		ws.SetWriteDeadline(time.Now().Add(s.cfg.writeWait))
		if err := ws.WriteMessage(typ, buf.Bytes()); err != nil {
			if errors.Is(err, websocket.ErrCloseSent) {
				continue // shutting down: read on until the peer's close frame
			}
			return err
		}
	}
}

// closeGorilla sends a close frame with code and reason, unless one was sent
// already, then hangs up.
func (s *server) closeGorilla(ws *websocket.Conn, code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	err := ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.cfg.writeWait))
	if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		return
	}
	s.hangUp(ws)
}

// hangUp ends the TCP connection after the server's close frame: FIN first,
// then it reads away what the peer still sends (the rest of a message, its
// close frame) until the peer closes too or closeWait passes. Closing with
// unread data would reset the connection, and a reset can destroy the close
// frame before the peer reads it. (The handler's deferred Close follows.)
func (s *server) hangUp(ws *websocket.Conn) {
	nc := ws.NetConn() // gorilla can read no more after a close it sent
	if tc, ok := nc.(interface{ CloseWrite() error }); ok {
		tc.CloseWrite()
	}
	nc.SetReadDeadline(time.Now().Add(s.cfg.closeWait))
	io.Copy(io.Discard, nc)
}

// gorillaKeepalive pings ws every pingPeriod until done is closed and, when
// the server shuts down, sends the close frame with 1001. It writes with
// WriteControl only, which gorilla allows beside the reader's writes.
func (s *server) gorillaKeepalive(ws *websocket.Conn, done <-chan struct{}) {
	t := time.NewTicker(s.cfg.pingPeriod)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.cfg.writeWait)); err != nil {
				return // the reader finds out too, and ends the connection
			}
		case <-s.closing.Done():
			msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
			if err := ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.cfg.writeWait)); err != nil {
				ws.Close() // no answer will come: wake the reader now
				return
			}
			// The reader gets the peer's answer and ends the handler. A
			// timer, not a read deadline, bounds the wait: pongs move
			// the read deadline on.
			timer := time.NewTimer(s.cfg.closeWait)
			defer timer.Stop()
			select {
			case <-done:
			case <-timer.C:
				ws.Close()
			}
			return
		}
	}
}
