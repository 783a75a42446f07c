// Package proxy is the course's tracing proxy: it passes every byte between a
// client and a lesson's server through unchanged and prints, live, what
// crosses it: HTTP requests and responses, every WebSocket frame both ways,
// and how each TCP connection ends. On request it also makes the network
// worse: latency, a bandwidth cap, a stalled reader, a cut.
package proxy

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"wscourse/tools/internal/accept"
	"wscourse/tools/internal/english"
)

// Config is what a Proxy is started with.
type Config struct {
	Server     string    // host:port of the server behind the proxy
	Out        io.Writer // where the trace goes, one line per event
	AllHeaders bool      // print the headers of every request and response, not only the upgrade's
	Faults     Faults
}

// Proxy accepts connections and passes each on to the server, tracing it.
type Proxy struct {
	cfg    Config
	out    *printer
	faults faults

	mu     sync.Mutex
	ln     net.Listener
	conns  map[*conn]bool
	closed bool
	wg     sync.WaitGroup
	nextID atomic.Int64
	ended  chan struct{} // a connection ended (buffered 1: a wake-up, not a count)
}

// New returns a proxy to cfg.Server; Serve starts it.
func New(cfg Config) *Proxy {
	p := &Proxy{cfg: cfg, out: &printer{w: cfg.Out}, conns: map[*conn]bool{}, ended: make(chan struct{}, 1)}
	p.faults.init(cfg.Faults)
	return p
}

// Serve accepts connections on ln until Close. It returns nil after Close.
func (p *Proxy) Serve(ln net.Listener) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ln.Close()
	}
	p.ln = ln
	p.wg.Add(1)
	p.mu.Unlock()
	defer p.wg.Done()
	return accept.Loop(ln, &p.wg, p.isClosed, func(nc net.Conn) {
		c := newConn(p, nc)
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			nc.Close()
			return
		}
		p.conns[c] = true
		p.mu.Unlock()
		c.run()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		select {
		case p.ended <- struct{}{}:
		default:
		}
	})
}

// isClosed reports whether Close has been called.
func (p *Proxy) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// closeGrace is how long Close lets connections end on their own, so that
// a server's last close frames, held back by latency, still get through.
const closeGrace = time.Second

// Close stops accepting, gives open connections closeGrace to end, cuts
// the rest and waits until every goroutine of the proxy has returned.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	var err error
	if p.ln != nil {
		err = p.ln.Close()
	}
	p.mu.Unlock()
	timer := time.NewTimer(closeGrace)
	defer timer.Stop()
	for p.open() > 0 {
		select {
		case <-timer.C:
			p.cutAll("the proxy is stopping")
			p.wg.Wait()
			return err
		case <-p.ended:
		}
	}
	p.wg.Wait()
	return err
}

// open counts the connections in progress.
func (p *Proxy) open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// each calls f with every open connection.
func (p *Proxy) each(f func(*conn)) int {
	p.mu.Lock()
	cs := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		cs = append(cs, c)
	}
	p.mu.Unlock()
	for _, c := range cs {
		f(c)
	}
	return len(cs)
}

// CutAll resets every open connection now, both ways, as a network that
// drops them would; it returns how many there were.
func (p *Proxy) CutAll() int {
	n := p.cutAll("cut by the proxy")
	p.out.global(fmt.Sprintf("cut %s (RST to client and server)", english.Count(n, "open connection")))
	return n
}

func (p *Proxy) cutAll(why string) int {
	return p.each(func(c *conn) { c.cut(why) })
}

// StallAll stops reading from the server on every open connection for d.
func (p *Proxy) StallAll(d time.Duration) int {
	now := time.Now()
	n := p.each(func(c *conn) { c.stall(now, d) })
	p.out.global(fmt.Sprintf("stalling %s: not reading from the server for %v", english.Count(n, "open connection"), d))
	return n
}

// SetLatency sets the latency added to each direction from now on.
func (p *Proxy) SetLatency(toServer, toClient time.Duration) {
	p.faults.latency[up].Store(int64(toServer))
	p.faults.latency[down].Store(int64(toClient))
	p.out.global(fmt.Sprintf("latency now %v client→server, %v server→client", toServer, toClient))
}

// Latency returns the latency added to each direction.
func (p *Proxy) Latency() (toServer, toClient time.Duration) {
	return p.faults.delay(up), p.faults.delay(down)
}
