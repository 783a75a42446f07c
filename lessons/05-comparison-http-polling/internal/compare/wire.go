package compare

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// counters count what one mode's clients put on the wire and take off it,
// at the connection: request and status lines, headers, bodies, chunk
// framing, WebSocket frame headers; and, where the system tells, the TCP
// segments that carried them, each with its IP and TCP header.
type counters struct {
	up, down, requests atomic.Int64

	mu     sync.Mutex
	open   map[*countingConn]bool
	closed int64 // segments of the connections already closed
	header int   // IP and TCP header bytes a segment; 0 until one is known
	noSegs bool  // a connection whose segments cannot be counted
}

// track adds an open connection to those whose segments are counted.
func (c *counters) track(cc *countingConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = map[*countingConn]bool{}
	}
	c.open[cc] = true
}

// forget counts a connection's segments once more, as it closes, and stops
// following it.
func (c *counters) forget(cc *countingConn) {
	segs, header, ok := tcpSegments(cc.Conn)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.open[cc] {
		return // closed before
	}
	delete(c.open, cc)
	c.note(segs, header, ok)
	c.closed += segs
}

// note keeps what one reading of TCP_INFO said of the header, or that there
// was none. c.mu is held.
func (c *counters) note(segs int64, header int, ok bool) {
	if !ok {
		c.noSegs = true
		return
	}
	c.header = header
}

// segments returns the segments every connection has sent and received so
// far, and the header bytes of each; ok is false when some connection's
// cannot be read.
func (c *counters) segments() (segs int64, header int, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	segs = c.closed
	for cc := range c.open {
		n, h, ok := tcpSegments(cc.Conn)
		c.note(n, h, ok)
		segs += n
	}
	return segs, c.header, !c.noSegs && c.header > 0
}

// countingConn counts the bytes read and written through a connection.
type countingConn struct {
	net.Conn
	c *counters
}

func (cc *countingConn) Read(p []byte) (int, error) {
	n, err := cc.Conn.Read(p)
	cc.c.down.Add(int64(n))
	return n, err
}

func (cc *countingConn) Write(p []byte) (int, error) {
	n, err := cc.Conn.Write(p)
	cc.c.up.Add(int64(n))
	return n, err
}

func (cc *countingConn) Close() error {
	cc.c.forget(cc)
	return cc.Conn.Close()
}

// dialer returns a DialContext that counts into c.
func dialer(c *counters) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cc := &countingConn{Conn: conn, c: c}
		c.track(cc)
		return cc, nil
	}
}

// BrowserHeaders are the request headers Chromium 131 on Linux sends with a
// same-origin fetch() from the lesson's page, without cookies, in the order
// Go writes them (Host first, then User-Agent, then the rest sorted). Go's
// own client sends three short ones; a browser sends these, and their bytes
// ride on every poll.
func BrowserHeaders(addr string) http.Header {
	return http.Header{
		"User-Agent":         {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
		"Accept":             {"*/*"},
		"Accept-Encoding":    {"gzip, deflate, br, zstd"},
		"Accept-Language":    {"en-US,en;q=0.9"},
		"Connection":         {"keep-alive"},
		"Referer":            {"http://" + addr + "/"},
		"Sec-Ch-Ua":          {`"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"`},
		"Sec-Ch-Ua-Mobile":   {"?0"},
		"Sec-Ch-Ua-Platform": {`"Linux"`},
		"Sec-Fetch-Dest":     {"empty"},
		"Sec-Fetch-Mode":     {"cors"},
		"Sec-Fetch-Site":     {"same-origin"},
	}
}

// newClient is an HTTP client for one simulated browser tab: its own
// connection, counted into c, every request with the browser's headers.
func newClient(c *counters) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         dialer(c),
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true, // Accept-Encoding is set by hand; the server does not compress
	}}
}
