// Command broadcast is a hub: every text message a client sends on /ws
// reaches every connected client, the sender included, and with -tick the
// server publishes price ticks of its own through the same hub. GET / serves a
// live ticker page.
//
// This file is given, with the files shared by every lesson (flags.go,
// origin.go, serve.go). Yours are hub.go, client.go and tick.go.
package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// maxMessageSize is the largest message a client may send, counted over the
// whole reassembled message: 65536 bytes pass, 65537 close with 1009.
const maxMessageSize = 64 << 10

//go:embed static
var staticFiles embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exit("broadcast", run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlags("broadcast", stderr, &cfg)
	tick := fs.Duration("tick", time.Second, "publish a price tick this often (0 turns ticks off)")
	if err := parseFlags(fs, args, &cfg); err != nil {
		return err
	}
	if *tick < 0 {
		return fmt.Errorf("-tick must be 0 (off) or positive, got %v", *tick)
	}
	logf := log.New(stderr, "", log.LstdFlags).Printf
	s := &server{cfg: cfg, sockets: newSockets(), hub: newHub(), tick: *tick}
	s.upgrader = newUpgrader(cfg)

	// The hub and the ticker stop when shutdown begins, with the WebSockets.
	var bg sync.WaitGroup
	bg.Go(func() { s.hub.run(s.closing) })
	if s.tick > 0 {
		bg.Go(func() { s.publishTicks(s.closing) })
	}
	err := serve(ctx, cfg.addr, s.routes(), s.sockets, stdout, logf)
	s.startClosing() // when serve failed to start, the goroutines stop too
	if !waitTimeout(&bg, time.Second) {
		logf("shutdown: the hub or the ticker did not stop within 1s of shutdown")
	}
	return err
}

// server answers the browser client on / and the hub's endpoint on /ws.
type server struct {
	cfg config
	*sockets
	upgrader *websocket.Upgrader // one for every connection (newUpgrader)
	hub      *hub
	tick     time.Duration // how often publishTicks publishes; 0 for never
}

func (s *server) routes() http.Handler {
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // static/ is embedded at build time: cannot happen
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /ws", s.track(s.serveWS))
	return mux
}

// Why a connection's reader stopped, when the server must say so with a
// close frame of its own.
var (
	errNotUTF8 = errors.New("text message is not valid UTF-8")
	errBinary  = errors.New("binary messages are not supported")
)

// serveWS upgrades the request, joins the connection to the hub and starts
// serveClient on a goroutine of its own, then returns. The connection
// outlives the handler, as in gorilla's chat example: the handler's goroutine
// holds a stack that net/http grew deep and the HTTP connection's buffers,
// which an idle WebSocket does not need (README: memory per connection).
func (s *server) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := s.upgrader.Upgrade(batching{w}, r, nil) // batch.go
	if err != nil {
		return // Upgrade has answered with an HTTP error (403 for a foreign Origin)
	}
	c := newClient(ws)
	if !s.hub.join(c) {
		s.closeWith(ws, websocket.CloseGoingAway, "server shutting down") // the hub has stopped
		ws.Close()
		return
	}
	// Held as track holds handlers, so that shutdown waits for it and cuts
	// it off if it does not finish in time. (The key is the batchConn:
	// track forgets the raw connection when this handler returns.)
	release, ok := s.hold(c.out)
	if !ok { // shutdown has begun: this handler, which track holds, says goodbye
		s.serveClient(c)
		return
	}
	go func() {
		defer release()
		s.serveClient(c)
	}()
}

// serveClient runs the connection's two goroutines: readPump on this one,
// writePump on another. Each connection has exactly one writer of messages,
// writePump, fed by the client's queue; it writes through a batchConn
// (batch.go).
func (s *server) serveClient(c *client) {
	ws := c.conn
	defer ws.Close()
	done := make(chan struct{}) // closed when reading is over
	written := make(chan struct{})
	go func() {
		defer close(written)
		s.writePump(c, done)
	}()
	err := s.readPump(c)
	s.hub.leave(c)
	close(done)
	<-written // from here on this goroutine is the only one left to write

	switch {
	case errors.Is(err, errNotUTF8):
		s.closeWith(ws, websocket.CloseInvalidFramePayloadData, err.Error())
	case errors.Is(err, errBinary):
		s.closeWith(ws, websocket.CloseUnsupportedData, err.Error())
	case errors.Is(err, websocket.ErrReadLimit):
		s.hangUp(ws) // gorilla has sent the 1009 itself
	}
	// Any other error: the peer closed (and gorilla answered), stopped
	// answering pings, or the writer ended the connection.
}

// newUpgrader returns the Upgrader of every connection to /ws.
func newUpgrader(cfg config) *websocket.Upgrader {
	return &websocket.Upgrader{
		CheckOrigin: cfg.origins.allowed,
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			http.Error(w, reason.Error(), status)
		},
		// A hub's clients send little: 1 KiB for frame headers and short
		// messages (longer ones are read past it), not net/http's 4 KiB.
		ReadBufferSize: 1024,
		// Lent only to a plain write (writePump writes prepared messages
		// and control frames), instead of one held by every connection.
		WriteBufferPool: &sync.Pool{},
	}
}

// closeWith sends a close frame with code and reason, then hangs up.
func (s *server) closeWith(ws *websocket.Conn, code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	if err := ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.cfg.writeWait)); err != nil {
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
