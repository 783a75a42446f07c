package main

import "net/http"

// serveCoder answers /ws/coder with coder/websocket: every message comes back
// with the same type and the same bytes, in order. The TODOs follow the tests
// in the order `make lesson-2` runs them; README.md explains each step.
//
// TODO: TestCoderOrigin. Accept the request with websocket.Accept, giving it
// OriginPatterns from s.cfg.origins.acceptPatterns(r) (origin_coder.go), so
// that it applies the same rule as /ws. Never InsecureSkipVerify.
//
// TODO: TestCoderEcho. Echo every message: Reader into a bytes.Buffer reused
// for the whole connection, then Write with the same type. Set the read limit
// to maxMessageSize, and defer CloseNow so that every way out closes the
// connection. Close with 1007 when a text message is not valid UTF-8, and
// finish the close handshake after the limit's 1009.
//
// TODO: TestCoderStalledReader. Every Write under a context with a timeout
// (s.cfg.writeWait), so a peer that stops reading cannot hold the handler for
// ever.
//
// TODO: TestCoderKeepalive. Ping the peer every s.cfg.pingPeriod from a second
// goroutine and drop it when the pong does not come within s.cfg.pongWait.
// Ping needs a goroutine that is reading. Keepalive alone decides when a
// quiet peer is gone: a read whose context ends closes the connection, and
// no pong moves a context on.
//
// TODO: TestCoderShutdown. When s.closing is done, close with 1001 (going
// away), without cancelling a read, which would drop the connection with no
// close frame. Every goroutine you start must end when the connection does.
func (s *server) serveCoder(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "/ws/coder is not written yet: see the TODOs in coder.go", http.StatusNotImplemented)
}
