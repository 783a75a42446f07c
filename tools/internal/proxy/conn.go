package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// dialTimeout bounds connecting to the server.
const dialTimeout = 5 * time.Second

// conn is one client connection and the proxy's connection to the server
// for it.
type conn struct {
	p      *Proxy
	id     int64
	start  time.Time
	client net.Conn
	server net.Conn
	closed chan struct{} // closed when the proxy has closed both ends
	once   sync.Once

	mu       sync.Mutex // guards what follows, and the monitor
	ended    bool       // both ends closed: nothing more to report
	finished [2]bool    // by direction: the end of its stream has passed
	mon      *monitor

	stalled atomic.Pointer[window] // when not to read from the server
}

func newConn(p *Proxy, client net.Conn) *conn {
	c := &conn{p: p, id: p.nextID.Add(1), start: time.Now(), client: client, closed: make(chan struct{})}
	c.mon = newMonitor(c)
	return c
}

// run passes bytes both ways until both ends are closed.
func (c *conn) run() {
	c.say("", "client %s connected", c.client.RemoteAddr())
	server, err := net.DialTimeout("tcp", c.p.cfg.Server, dialTimeout)
	if err != nil {
		c.say("", "cannot reach the server: %v; closing the client's connection", err)
		c.client.Close()
		return
	}
	c.mu.Lock()
	if c.ended { // cut while dialling
		c.mu.Unlock()
		server.Close()
		return
	}
	c.server = server
	c.mu.Unlock()
	f := &c.p.faults
	if f.stallFor > 0 {
		c.stall(c.start.Add(f.stallAfter), f.stallFor)
	}
	if f.cutAfter > 0 {
		timer := time.AfterFunc(f.cutAfter, func() { c.cut(fmt.Sprintf("cut by the proxy after %v", f.cutAfter)) })
		defer timer.Stop()
	}
	var wg sync.WaitGroup
	for _, d := range []direction{up, down} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			newPipe(c, d).run()
		}()
	}
	wg.Wait()
}

// ends returns the connection bytes of d come from and go to.
func (c *conn) ends(d direction) (src, dst net.Conn) {
	if d == up {
		return c.client, c.server
	}
	return c.server, c.client
}

// say prints a line about this connection, at the time since it opened.
func (c *conn) say(dir string, format string, args ...any) {
	c.p.out.line(c.id, time.Since(c.start), dir, fmt.Sprintf(format, args...))
}

// observe passes bytes about to cross in direction d to the monitor.
func (c *conn) observe(d direction, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ended {
		c.mon.feed(d, b)
	}
}

// endOf handles the end of d's stream, after any latency: the error the
// read from its source returned.
func (c *conn) endOf(d direction, err error) {
	_, dst := c.ends(d)
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	partial := c.mon.partial(d)
	switch {
	case errors.Is(err, io.EOF):
		c.mon.endOfStream(d)
		c.say("", "%s closed (FIN)%s", d.from(), partial)
		c.finished[d] = true
		both := c.finished[up] && c.finished[down]
		c.mu.Unlock()
		closeWrite(dst)
		if both {
			c.close(false)
		}
		return
	case isReset(err):
		c.say("", "%s reset (RST)%s", d.from(), partial)
	default:
		c.say("", "%s: read error: %v%s", d.from(), err, partial)
	}
	c.ended = true
	c.mu.Unlock()
	c.close(true)
}

// writeFailed handles a failed write to d's destination.
func (c *conn) writeFailed(d direction, err error) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	if isReset(err) && !c.finished[1-d] {
		// What the reset end sent before its RST is still to come: the
		// other direction reads it, passes it on, then meets the reset
		// and ends the connection.
		c.say("", "%s reset (RST), seen writing to it; passing on what it sent first", d.to())
		c.mu.Unlock()
		return
	}
	c.ended = true
	if isReset(err) {
		c.say("", "%s reset (RST), seen writing to it", d.to())
	} else {
		c.say("", "writing to the %s: %v", d.to(), err)
	}
	c.mu.Unlock()
	c.close(true)
}

// cut resets both ends now.
func (c *conn) cut(why string) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	c.say("", "%s: RST to client and server", why)
	c.mu.Unlock()
	c.close(true)
}

// close closes both ends; with reset, each gets an RST rather than a FIN.
func (c *conn) close(reset bool) {
	c.mu.Lock()
	c.ended = true
	ends := []net.Conn{c.client, c.server}
	c.mu.Unlock()
	c.once.Do(func() { close(c.closed) })
	for _, nc := range ends {
		if nc == nil {
			continue
		}
		if tc, ok := nc.(*net.TCPConn); ok && reset {
			_ = tc.SetLinger(0)
		}
		nc.Close()
	}
}

// window is a span of time in which the proxy does not read from the server.
type window struct{ from, until time.Time }

// stall stops reading from the server from at, for d.
func (c *conn) stall(at time.Time, d time.Duration) {
	c.stalled.Store(&window{at, at.Add(d)})
}

// stallWait returns how long to wait before the next read from the server
// at now, and when the stall it waits for ends.
func (c *conn) stallWait(now time.Time) (time.Duration, window) {
	w := c.stalled.Load()
	if w == nil || now.Before(w.from) || !now.Before(w.until) {
		return 0, window{}
	}
	return w.until.Sub(now), *w
}

func closeWrite(nc net.Conn) {
	if cw, ok := nc.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	nc.Close()
}

// isReset reports whether err is the peer's RST: ECONNRESET, or EPIPE for a
// write after one.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
