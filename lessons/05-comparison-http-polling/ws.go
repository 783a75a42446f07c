package main

import (
	"net/http"

	"github.com/gorilla/websocket"
)

// newUpgrader returns the Upgrader of every connection to /ws; newServer
// (main.go) builds it once, as s.upgrader.
//
// TODO: TestWS. Check the Origin with cfg.origins.allowed (403 otherwise),
// and make the refusal say why (Upgrader.Error), as in lesson 02.
func newUpgrader(cfg config) *websocket.Upgrader {
	return &websocket.Upgrader{}
}

// serveWS answers /ws with a WebSocket that carries each update as one text
// message of JSON, starting with the next one.
//
// TODO: TestWS. Upgrade with s.upgrader. Send every update after the latest
// at connect time, one text message each, from one writer goroutine with a
// write deadline (s.cfg.writeWait) before every write, waiting on the store's
// news between batches (the channel that came with the updates). Clients
// have nothing to say, but read anyway, in a second goroutine, each message
// to its end: only a reader sees pongs, close frames and messages over
// maxMessageSize (set the read limit: 1009). Ping every s.cfg.pingPeriod and
// drop a peer whose pong does not come within s.cfg.pongWait, as in lesson 02.
// When the reader ends, close the connection; after a 1009 the rest of the
// message is still coming: FIN first, and read it away for at most
// s.cfg.closeWait, as lesson 02's hangUp does. (A write that fails with
// websocket.ErrCloseSent tells the writer the same: the reader has sent a
// close frame and is ending.)
//
// TODO: TestShutdown. When s.closing is done, send a close frame with 1001
// and give the peer s.cfg.closeWait to answer. Every goroutine you start
// ends when the connection does.
func (s *server) serveWS(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "/ws is not written yet: see the TODOs in ws.go", http.StatusNotImplemented)
}
