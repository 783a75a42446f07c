// Command chat is a chat server with rooms, unique names, history and resume
// after a reconnect, over a typed JSON protocol on /ws (coder/websocket).
// GET / serves the browser client.
//
// This file is given, with rooms.go and the files shared by every lesson
// (flags.go, origin.go, origin_coder.go, serve.go). Yours are protocol.go,
// ratelimit.go, room.go and client.go.
package main

import (
	"context"
	"crypto/rand"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// maxMessageSize is the largest message a client may send, counted over the
// whole reassembled message: 16384 bytes pass, 16385 close with 1009. A chat
// message of 1000 characters, each up to 4 bytes of UTF-8 and escaped in JSON
// at worst, fits.
const maxMessageSize = 16 << 10

//go:embed static
var staticFiles embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exit("chat", run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlags("chat", stderr, &cfg)
	// Each room is a goroutine and up to historySize messages, and anyone may
	// name a new one: past this many, joining a new room is refused.
	maxRooms := fs.Int("max-rooms", 10_000, "how many rooms the server keeps at once; at the limit a new room takes the place of one nobody is in")
	if err := parseFlags(fs, args, &cfg); err != nil {
		return err
	}
	if *maxRooms < 1 {
		return fmt.Errorf("-max-rooms must be at least 1, got %d", *maxRooms)
	}
	logf := log.New(stderr, "", log.LstdFlags).Printf
	s := &server{cfg: cfg, sockets: newSockets()}
	// The rooms stop when shutdown begins, with the WebSockets.
	s.rooms = newRooms(s.closing, newEpoch(), *maxRooms)
	err := serve(ctx, cfg.addr, s.routes(), s.sockets, stdout, logf)
	s.startClosing() // when serve failed to start, the rooms stop too
	if !s.rooms.wait(time.Second) {
		logf("shutdown: rooms still running 1s after shutdown began")
	}
	return err
}

// newEpoch names this run of the server. Message ids start again at 1 when
// the server restarts; a client that sees a new epoch knows its ids are from
// another life and asks for the whole history.
func newEpoch() string {
	return rand.Text()[:16]
}

// server answers the browser client on / and the chat on /ws.
type server struct {
	cfg config
	*sockets
	rooms *rooms
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
