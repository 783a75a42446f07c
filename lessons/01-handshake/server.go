package main

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"sync"
)

// server routes HTTP requests and keeps track of the live WebSocket
// connections, which http.Server forgets once they are hijacked, so that
// shutdown can close each of them with 1001.
type server struct {
	origins []string // extra origins allowed, see originAllowed
	cfg     config

	mu      sync.Mutex
	conns   map[*conn]struct{}
	closing bool
	stop    chan struct{}  // closed by shutdown
	wg      sync.WaitGroup // one per live connection
}

func newServer(origins []string, cfg config) *server {
	return &server{
		origins: origins,
		cfg:     cfg,
		conns:   make(map[*conn]struct{}),
		stop:    make(chan struct{}),
	}
}

// routes returns the server's handler: the browser client on / and the
// WebSocket endpoint on /ws.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	page, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // static/ is embedded at build time: cannot happen
	}
	mux.Handle("/", http.FileServerFS(page))
	mux.HandleFunc("/ws", s.handleWS)
	return mux
}

func (s *server) handleWS(w http.ResponseWriter, r *http.Request) {
	if !originAllowed(r, s.origins) {
		http.Error(w, fmt.Sprintf("origin %q is not allowed", r.Header.Get("Origin")), http.StatusForbidden)
		return
	}
	nc, brw, err := upgrade(w, r)
	if err != nil {
		return // upgrade has answered the request
	}
	c := newConn(nc, brw, s.cfg, s.stop)
	if !s.add(c) {
		c.drop()
		return
	}
	defer s.remove(c)
	c.serve()
}

// add registers c, or reports false when the server is shutting down.
func (s *server) add(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *server) remove(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// shutdown wakes every connection so that it closes itself with 1001, and
// waits for all of them to end; when ctx is done first, it cuts the rest.
func (s *server) shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.stop)
	}
	for c := range s.conns {
		c.wake()
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		// Out of time: cut the connections still open, without goodbye.
		s.mu.Lock()
		for c := range s.conns {
			c.drop()
		}
		s.mu.Unlock()
		return fmt.Errorf("closing WebSocket connections: %w", ctx.Err())
	}
}
