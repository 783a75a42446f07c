// Package balancer is a small TCP load balancer, as a class demo and the
// browser tests need one in front of lesson 06's instances: each new
// connection goes to the first backend, in the order given, that accepts it,
// and bytes pass through unchanged both ways. So every page is on the first
// instance that is up, and a page whose instance stops or dies reconnects to
// the next: failover, which is what the demo shows.
package balancer

import (
	"io"
	"net"
	"sync"
	"time"

	"wscourse/tools/internal/accept"
)

// dialTimeout bounds connecting to one backend.
const dialTimeout = time.Second

// Balancer passes each connection it accepts to one of its backends.
type Balancer struct {
	backends []string
	// Logf, when set, is told where each connection went, or that no backend
	// took it.
	Logf func(format string, args ...any)

	mu     sync.Mutex
	conns  map[net.Conn]bool // both ends of every connection in flight
	ln     net.Listener
	closed bool
	wg     sync.WaitGroup
}

// New returns a balancer over backends, host:port each.
func New(backends ...string) *Balancer {
	return &Balancer{backends: backends, conns: map[net.Conn]bool{}}
}

// Serve accepts connections on ln until Close, and returns nil then.
func (b *Balancer) Serve(ln net.Listener) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ln.Close()
	}
	b.ln = ln
	b.wg.Add(1)
	b.mu.Unlock()
	defer b.wg.Done()
	return accept.Loop(ln, &b.wg, b.isClosed, b.pass)
}

// isClosed reports whether Close has been called.
func (b *Balancer) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Close stops accepting, closes every connection in flight and waits for
// them.
func (b *Balancer) Close() error {
	b.mu.Lock()
	b.closed = true
	if b.ln != nil {
		b.ln.Close()
	}
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
	return nil
}

// pass connects client to the first backend that accepts, and copies both
// ways until either side ends.
func (b *Balancer) pass(client net.Conn) {
	defer client.Close()
	var backend net.Conn
	for _, addr := range b.backends {
		c, err := net.DialTimeout("tcp", addr, dialTimeout)
		if err == nil {
			backend = c
			b.logf("balancer: %s -> %s", client.RemoteAddr(), addr)
			break
		}
	}
	if backend == nil {
		b.logf("balancer: %s: no backend answers; closing it", client.RemoteAddr())
		return
	}
	defer backend.Close()
	if !b.track(client, backend) {
		return // closing
	}
	defer b.untrack(client, backend)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		// Either end's close ends the other: a killed backend's pages see
		// their connection end, and reconnect.
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go pipe(backend, client)
	go pipe(client, backend)
	<-done
	<-done
}

func (b *Balancer) track(cs ...net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	for _, c := range cs {
		b.conns[c] = true
	}
	return true
}

func (b *Balancer) untrack(cs ...net.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range cs {
		delete(b.conns, c)
	}
}

func (b *Balancer) logf(format string, args ...any) {
	if b.Logf != nil {
		b.Logf(format, args...)
	}
}
