// Command handshake is an echo server that speaks WebSocket (RFC 6455)
// written by hand: the opening handshake, the frame codec and the echo loop.
//
// This file is given, with conn.go, protocol.go and the files shared by every
// lesson (flags.go, origin.go, serve.go). Yours are handshake.go, frame.go and
// echo.go.
package main

import (
	"context"
	"embed"
	"io"
	"io/fs"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

//go:embed static
var staticFiles embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exit("handshake", run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	if err := parseFlags(newFlags("handshake", stderr, &cfg), args, &cfg); err != nil {
		return err
	}
	s := &server{cfg: cfg, sockets: newSockets()}
	return serve(ctx, cfg.addr, s.routes(), s.sockets, stdout, log.New(stderr, "", log.LstdFlags).Printf)
}

// server answers the browser client on / and WebSockets on /ws.
type server struct {
	cfg config
	*sockets
}

func (s *server) routes() http.Handler {
	page, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // static/ is embedded at build time: cannot happen
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServerFS(page))
	// Any method: refusing a POST with 405 is part of the handshake.
	mux.HandleFunc("/ws", s.track(s.handleWS))
	return mux
}

func (s *server) handleWS(w http.ResponseWriter, r *http.Request) {
	u := upgrader{checkOrigin: s.cfg.origins.allowed, writeWait: s.cfg.writeWait}
	nc, brw, err := u.upgrade(w, r)
	if err != nil {
		return // upgrade has answered the request
	}
	newConn(nc, brw, s.cfg, s.closing).serve()
}
