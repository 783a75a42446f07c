// course:shared: the same in every lesson that has this file; make verify compares the copies.

package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Shutdown: plain HTTP requests in flight get httpGrace to finish while every
// WebSocket is closed with 1001 and gets until shutdownGrace to finish its
// close handshake. Whatever is still open then is cut off, so the process
// exits within the five seconds the course promises. (Variables only so that
// tests can shorten them.)
var (
	httpGrace     = 1 * time.Second
	shutdownGrace = 4 * time.Second
	shutdownLimit = 5 * time.Second
)

// sockets keeps track of the WebSocket handlers, which http.Server forgets
// once their connection is hijacked, so that shutdown can wait for them and
// cut off those that do not finish in time.
type sockets struct {
	// closing is done when shutdown begins: every WebSocket must then be
	// closed with 1001 (going away).
	closing      context.Context
	startClosing context.CancelFunc

	mu       sync.Mutex
	shutdown bool                  // no new WebSockets once set
	active   map[net.Conn]struct{} // connections of running handlers
	handlers sync.WaitGroup
}

func newSockets() *sockets {
	closing, cancel := context.WithCancel(context.Background())
	return &sockets{closing: closing, startClosing: cancel, active: make(map[net.Conn]struct{})}
}

// connKey is the request context key of the request's network connection.
type connKey struct{}

// track runs a WebSocket handler so that shutdown waits for it, and can cut
// its connection off. During shutdown it refuses new ones with 503.
func (s *sockets) track(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _ := r.Context().Value(connKey{}).(net.Conn)
		release, ok := s.hold(conn)
		if !ok {
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			return
		}
		defer release()
		h(w, r)
	}
}

// hold counts a goroutine that serves conn (a handler, or one a handler
// hands its connection on to) until release is called: shutdown waits for
// it and cuts conn off if it does not finish in time. Once shutdown has
// begun it counts nothing and returns false.
func (s *sockets) hold(conn net.Conn) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return nil, false
	}
	s.handlers.Add(1)
	if conn != nil {
		s.active[conn] = struct{}{}
	}
	return func() {
		s.mu.Lock()
		delete(s.active, conn)
		s.mu.Unlock()
		s.handlers.Done()
	}, true
}

// serve listens on addr, prints "listening on http://ADDR" to stdout and
// answers with h until ctx is done. Then it shuts down: it stops accepting,
// closes s.closing so every WebSocket says goodbye with 1001, and returns nil
// within shutdownLimit.
func serve(ctx context.Context, addr string, h http.Handler, s *sockets, stdout io.Writer, logf func(format string, args ...any)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second, // a hijacked connection clears both deadlines
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
		ErrorLog: log.New(logWriter(logf), "http: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	start := time.Now()
	logf("shutting down: closing WebSockets with 1001")
	s.mu.Lock()
	s.shutdown = true
	s.startClosing()
	s.mu.Unlock()

	// Shutdown waits for requests in flight, but also for connections that
	// never sent one, like the spare ones browsers open: it gets httpGrace,
	// then Close drops the rest. Neither sees hijacked connections.
	httpCtx, cancel := context.WithTimeout(context.Background(), httpGrace)
	defer cancel()
	if err := hs.Shutdown(httpCtx); err != nil {
		hs.Close()
	}
	<-served

	if !waitTimeout(&s.handlers, shutdownGrace-time.Since(start)) {
		s.mu.Lock()
		if n := len(s.active); n > 0 { // a handler leaves active just before it is done
			logf("shutdown: %d WebSocket(s) still open after %v; cutting them off", n, shutdownGrace)
			for c := range s.active {
				c.Close()
			}
		}
		s.mu.Unlock()
		if !waitTimeout(&s.handlers, shutdownLimit-time.Since(start)) {
			logf("shutdown: WebSocket handlers still running; exiting anyway")
		}
	}
	return nil
}

// waitTimeout waits for wg at most d and reports whether it finished.
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
