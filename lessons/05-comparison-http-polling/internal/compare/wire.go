package compare

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
)

// counters count what one mode's clients put on the wire and take off it,
// at the connection: request and status lines, headers, bodies, chunk
// framing, WebSocket frame headers. (TCP and IP headers are not counted:
// they are the same per packet whatever rides in it.)
type counters struct {
	up, down, requests atomic.Int64
}

// countingConn counts the bytes read and written through a connection.
type countingConn struct {
	net.Conn
	c *counters
}

func (cc countingConn) Read(p []byte) (int, error) {
	n, err := cc.Conn.Read(p)
	cc.c.down.Add(int64(n))
	return n, err
}

func (cc countingConn) Write(p []byte) (int, error) {
	n, err := cc.Conn.Write(p)
	cc.c.up.Add(int64(n))
	return n, err
}

// dialer returns a DialContext that counts into c.
func dialer(c *counters) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: conn, c: c}, nil
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
