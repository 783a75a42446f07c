// Command echo serves one WebSocket echo twice: /ws with gorilla/websocket and
// /ws/coder with coder/websocket, so the two libraries can be compared side by
// side. GET / serves a browser client for both.
//
// This file is given: flags, the HTTP server, the browser client and graceful
// shutdown. The endpoints themselves are yours, in gorilla.go and coder.go.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// maxMessageSize is the largest message either endpoint accepts, counted over
// the whole reassembled message: 65536 bytes pass, 65537 close with 1009.
const maxMessageSize = 64 << 10

// Shutdown: plain HTTP requests in flight get httpGrace to finish, and each
// WebSocket, at the same time, is sent a close frame with 1001 and gets until
// shutdownGrace to finish its close handshake. Whatever is still open then is
// cut off, so the process always exits within the five seconds it promises.
const (
	httpGrace     = 1 * time.Second
	shutdownGrace = 4 * time.Second
	shutdownLimit = 5 * time.Second
)

//go:embed static
var staticFiles embed.FS

// config holds everything the flags set.
type config struct {
	addr    string
	origins originPolicy

	// pingPeriod is how often the server pings a peer.
	pingPeriod time.Duration
	// pongWait is how long a peer has to answer a ping before it is dropped.
	pongWait time.Duration
	// writeWait is how long a single write, echo or control frame, may take.
	writeWait time.Duration
	// closeWait is how long the server waits for the peer's close frame after
	// it sent its own.
	closeWait time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if errors.As(err, new(usageError)) {
		os.Exit(2) // the flag package has printed the problem and the usage
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	s := newServer(cfg, log.New(stderr, "", log.LstdFlags).Printf)
	return s.serve(ctx, ln)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{closeWait: 2 * time.Second}
	var origins string
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	fs.StringVar(&origins, "origin", "", "comma-separated `patterns` of other origins allowed to connect, such as\n\"app.example.com:8443,*.example.org\" (path.Match syntax; a pattern without a port allows any port)")
	fs.DurationVar(&cfg.pingPeriod, "ping-period", 30*time.Second, "how often the server pings each peer")
	fs.DurationVar(&cfg.pongWait, "pong-wait", 10*time.Second, "how long a peer has to answer a ping before it is dropped")
	fs.DurationVar(&cfg.writeWait, "write-wait", 10*time.Second, "how long one write to a peer may take")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, usageError{err}
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"-ping-period", cfg.pingPeriod}, {"-pong-wait", cfg.pongWait}, {"-write-wait", cfg.writeWait}} {
		if f.d <= 0 {
			return config{}, fmt.Errorf("%s must be positive, got %v", f.name, f.d)
		}
	}
	var err error
	if cfg.origins, err = parseOrigins(origins); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// usageError is a flag the flag package could not parse; it has said so.
type usageError struct{ error }

// server holds what the handlers share.
type server struct {
	cfg  config
	logf func(format string, args ...any)

	// closing is done when shutdown begins: every open WebSocket must then be
	// sent a close frame with 1001 (going away).
	closing     context.Context
	stopClosing context.CancelFunc

	mu       sync.Mutex
	shutdown bool                  // no new WebSockets once set
	active   map[net.Conn]struct{} // connections of running WebSocket handlers
	handlers sync.WaitGroup        // running WebSocket handlers
}

func newServer(cfg config, logf func(format string, args ...any)) *server {
	closing, stop := context.WithCancel(context.Background())
	return &server{
		cfg:         cfg,
		logf:        logf,
		closing:     closing,
		stopClosing: stop,
		active:      make(map[net.Conn]struct{}),
	}
}

func (s *server) routes() http.Handler {
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /ws", s.track(s.serveGorilla))
	mux.HandleFunc("GET /ws/coder", s.track(s.serveCoder))
	return mux
}

// connKey is the request context key under which the HTTP server stores the
// request's network connection (see serve's ConnContext).
type connKey struct{}

// serve answers HTTP on ln until ctx is done, then shuts down: it stops
// accepting, asks every WebSocket handler to close with 1001, gives plain
// HTTP requests httpGrace and the WebSockets shutdownGrace, and returns nil
// within shutdownLimit.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second, // the upgrade clears both deadlines
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
		ErrorLog: log.New(logWriter(s.logf), "http: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	start := time.Now()
	s.logf("shutting down: closing WebSockets with 1001")

	s.mu.Lock()
	s.shutdown = true
	s.stopClosing()
	s.mu.Unlock()

	// Shutdown closes the listener and the idle connections, then waits for
	// the rest: requests in flight, but also connections that have not sent
	// a request yet, such as the spare ones browsers open. So it gets only
	// httpGrace, and Close drops whatever is left. Neither sees hijacked
	// connections: the WebSocket handlers close those themselves, meanwhile.
	httpCtx, cancel := context.WithTimeout(context.Background(), httpGrace)
	defer cancel()
	if err := hs.Shutdown(httpCtx); err != nil {
		hs.Close()
	}
	<-served

	if !waitTimeout(&s.handlers, shutdownGrace-time.Since(start)) {
		s.mu.Lock()
		// A handler leaves active just before it is done: it may be empty.
		if n := len(s.active); n > 0 {
			s.logf("shutdown: %d WebSocket(s) still open after %v; cutting them off", n, shutdownGrace)
			for c := range s.active {
				c.Close()
			}
		}
		s.mu.Unlock()
		if !waitTimeout(&s.handlers, shutdownLimit-time.Since(start)) {
			s.logf("shutdown: WebSocket handlers still running; exiting anyway")
		}
	}
	return nil
}

// track runs a WebSocket handler so that shutdown can wait for it, and cut off
// its connection if it does not finish in time.
func (s *server) track(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _ := r.Context().Value(connKey{}).(net.Conn)
		s.mu.Lock()
		if s.shutdown {
			s.mu.Unlock()
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			return
		}
		s.handlers.Add(1)
		if conn != nil {
			s.active[conn] = struct{}{}
		}
		s.mu.Unlock()

		defer func() {
			s.mu.Lock()
			delete(s.active, conn)
			s.mu.Unlock()
			s.handlers.Done()
		}()
		h(w, r)
	}
}

// waitTimeout waits for wg for at most d and reports whether it finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// logWriter adapts logf to the io.Writer that http.Server.ErrorLog needs.
type logWriter func(format string, args ...any)

func (f logWriter) Write(p []byte) (int, error) {
	f("%s", p)
	return len(p), nil
}
