// Command echo serves one WebSocket echo twice: /ws with gorilla/websocket and
// /ws/coder with coder/websocket, so the two libraries can be compared side by
// side. GET / serves a browser client for both.
//
// This file is given, with the files shared by every lesson (flags.go,
// origin.go, origin_coder.go, serve.go). Yours are gorilla.go and coder.go.
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

// maxMessageSize is the largest message either endpoint accepts, counted over
// the whole reassembled message: 65536 bytes pass, 65537 close with 1009.
const maxMessageSize = 64 << 10

//go:embed static
var staticFiles embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exit("echo", run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	if err := parseFlags(newFlags("echo", stderr, &cfg), args, &cfg); err != nil {
		return err
	}
	s := &server{cfg: cfg, sockets: newSockets()}
	return serve(ctx, cfg.addr, s.routes(), s.sockets, stdout, log.New(stderr, "", log.LstdFlags).Printf)
}

// server answers the browser client on / and the two endpoints.
type server struct {
	cfg config
	*sockets
}

func (s *server) routes() http.Handler {
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // static/ is embedded at build time: cannot happen
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /ws", s.track(s.serveGorilla))
	mux.HandleFunc("GET /ws/coder", s.track(s.serveCoder))
	return mux
}
