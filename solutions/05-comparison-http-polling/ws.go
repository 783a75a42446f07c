package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// newUpgrader returns the Upgrader of every connection to /ws: the course's
// Origin rule, and a refusal that says why.
func newUpgrader(cfg config) *websocket.Upgrader {
	return &websocket.Upgrader{
		CheckOrigin: cfg.origins.allowed,
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			http.Error(w, reason.Error(), status)
		},
	}
}

// serveWS answers /ws with a WebSocket that carries each update as one text
// message of JSON, starting with the next one.
//
// This handler's goroutine is the one writer: updates, pings (WriteControl)
// and the close frame at shutdown. readWS, started here, is the one reader;
// clients have nothing to say, but only a reader sees pongs, close frames
// and messages over the limit.
func (s *server) serveWS(w http.ResponseWriter, r *http.Request) {
	next := s.updates.latest() // before the client learns it is connected
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered with an HTTP error (403 for a foreign Origin)
	}
	ws.SetReadLimit(maxMessageSize)
	// A live peer answers each ping with a pong, and each pong moves the read
	// deadline on; a peer that stops answering hits it and is dropped.
	alive := func(string) error {
		return ws.SetReadDeadline(time.Now().Add(s.cfg.pingPeriod + s.cfg.pongWait))
	}
	alive("")
	ws.SetPongHandler(alive)

	var readErr error
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		readErr = readWS(ws)
	}()
	defer func() {
		ws.Close() // ends readWS, if it has not ended
		<-readDone
	}()

	ping := time.NewTicker(s.cfg.pingPeriod)
	defer ping.Stop()
	for {
		ups, news := s.updates.since(next)
		for _, u := range ups {
			data, _ := json.Marshal(u)
			// A deadline before every write, so that a peer that stops
			// reading cannot hold this goroutine for ever.
			ws.SetWriteDeadline(time.Now().Add(s.cfg.writeWait))
			if err := ws.WriteMessage(websocket.TextMessage, data); err != nil {
				if errors.Is(err, websocket.ErrCloseSent) {
					<-readDone // the reader sent a close frame, and is ending
					s.readEnded(ws, readErr)
				}
				return
			}
			next = u.Seq
		}
		select {
		case <-news:
		case <-ping.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.cfg.writeWait)); err != nil {
				return
			}
		case <-readDone:
			s.readEnded(ws, readErr)
			return
		case <-s.closing.Done():
			msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
			ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.cfg.writeWait))
			// readWS gets the peer's answer and ends. A timer, not a read
			// deadline, bounds the wait: pongs move the read deadline on.
			timer := time.NewTimer(s.cfg.closeWait)
			defer timer.Stop()
			select {
			case <-readDone:
			case <-timer.C:
			}
			return
		}
	}
}

// readEnded ends the connection once readWS has returned err. Past the limit
// gorilla has sent the 1009 itself, and the rest of the message is still
// coming; otherwise the peer closed (gorilla answered) or went away, and the
// deferred Close is all there is to do.
func (s *server) readEnded(ws *websocket.Conn, err error) {
	if errors.Is(err, websocket.ErrReadLimit) {
		s.hangUp(ws)
	}
}

// readWS reads and drops whatever the client sends, until reading fails,
// and returns why: websocket.ErrReadLimit past maxMessageSize.
func readWS(ws *websocket.Conn) error {
	for {
		_, r, err := ws.NextReader()
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
	}
}

// hangUp ends the TCP connection after the server's close frame: FIN first,
// then it reads away what the peer still sends until the peer closes too or
// closeWait passes. Closing with unread data would reset the connection, and
// a reset can destroy the close frame before the peer reads it.
func (s *server) hangUp(ws *websocket.Conn) {
	nc := ws.NetConn() // gorilla can read no more after a close it sent
	if tc, ok := nc.(interface{ CloseWrite() error }); ok {
		tc.CloseWrite()
	}
	nc.SetReadDeadline(time.Now().Add(s.cfg.closeWait))
	io.Copy(io.Discard, nc)
}
