// Command compare serves one stream of price updates four ways, so that they
// can be measured side by side: short polling on /poll, long-polling on
// /longpoll, Server-Sent Events on /sse and a WebSocket on /ws. GET / serves a
// page that shows all four live, and a client that falls back from one to the
// next.
//
// This file is given, with publish.go and the files shared by every lesson
// (flags.go, origin.go, serve.go). Yours are store.go, poll.go, sse.go and
// ws.go. The measuring harness is in cmd/compare: `make bench`.
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

	"github.com/gorilla/websocket"
)

// maxMessageSize is the largest message /ws accepts from a client, counted
// over the whole message: 4096 bytes pass, 4097 close with 1009. Clients have
// nothing to say on this feed; the limit bounds what one could make us hold.
const maxMessageSize = 4 << 10

//go:embed static
var staticFiles embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exit("compare", run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, publishes and serves until ctx is done, then shuts down
// gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := newServer(args, stderr)
	if err != nil {
		return err
	}
	// The publisher stops when shutdown begins, or when serve fails.
	stopPublishing := s.startPublishing(ctx)
	defer stopPublishing()
	return serve(ctx, s.cfg.addr, s.routes(), s.sockets, stdout, log.New(stderr, "", log.LstdFlags).Printf)
}

// newServer makes the server args describe, with an empty store and no
// publisher yet.
func newServer(args []string, stderr io.Writer) (*server, error) {
	var cfg config
	s := &server{rate: 10, longpollTimeout: 25 * time.Second}
	fs := newFlags("compare", stderr, &cfg)
	fs.Float64Var(&s.rate, "rate", s.rate, "price `updates` published per second")
	fs.DurationVar(&s.longpollTimeout, "longpoll-timeout", s.longpollTimeout, "answer a long-poll with no updates after this long")
	if err := parseFlags(fs, args, &cfg); err != nil {
		return nil, err
	}
	if s.rate <= 0 || s.rate > 10000 {
		return nil, fmt.Errorf("-rate must be more than 0 and at most 10000 updates a second, got %v", s.rate)
	}
	if s.longpollTimeout <= 0 {
		return nil, fmt.Errorf("-longpoll-timeout must be positive, got %v", s.longpollTimeout)
	}
	s.cfg = cfg
	s.sockets = newSockets()
	s.epoch = newEpoch()
	s.updates = newStore(s.epoch)
	s.upgrader = newUpgrader(cfg)
	return s, nil
}

// newEpoch names this run of the server. Seqs start again at 1 when the
// server restarts; a client that kept its since from another run says so
// with its epoch, and gets everything kept, as lesson 04's chat does.
func newEpoch() string {
	return rand.Text()[:16]
}

// startPublishing runs the publisher until ctx is done or stop is called;
// stop returns once it has ended.
func (s *server) startPublishing(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	published := make(chan struct{})
	go func() {
		defer close(published)
		s.publish(ctx)
	}()
	return func() {
		cancel()
		<-published
	}
}

// server publishes the updates and answers the page and the four transports.
type server struct {
	cfg config
	*sockets
	upgrader *websocket.Upgrader // /ws's, one for every connection (newUpgrader in ws.go)

	rate            float64       // -rate: updates published per second
	longpollTimeout time.Duration // -longpoll-timeout
	epoch           string        // this run's, new at every start: in every update and answer
	updates         feed          // the store: the last keep updates, and news of the next
}

// feed is the store (store.go) as the publisher and the transports use it.
// It is an interface so that a test can put a store in front that publishes
// at the moment it chooses: between a handler's look and its wait, say.
type feed interface {
	publish(symbol string, price float64, at time.Time) update
	since(n uint64) ([]update, <-chan struct{})
	latest() uint64
}

// routes wraps every handler that may wait in s.track: shutdown waits for
// them, and they end once s.closing is done.
func (s *server) routes() http.Handler {
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // static/ is embedded at build time: cannot happen
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /poll", s.servePoll)
	mux.HandleFunc("GET /longpoll", s.track(s.serveLongPoll))
	mux.HandleFunc("GET /sse", s.track(s.serveSSE))
	mux.HandleFunc("GET /ws", s.track(s.serveWS))
	return mux
}
