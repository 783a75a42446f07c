package proxy

import (
	"regexp"
	"strings"
	"testing"
)

// trace feeds a conversation to a monitor, each side's bytes in pieces of
// size (whole when 0), and returns the trace without its times.
func trace(steps []struct {
	d    direction
	data string
}, size int) string {
	return traceWith(Config{}, steps, size)
}

func traceWith(cfg Config, steps []struct {
	d    direction
	data string
}, size int) string {
	out := newTraceOut()
	cfg.Out = out
	c := newConn(New(cfg), nil)
	for _, s := range steps {
		b := []byte(s.data)
		n := size
		if n == 0 {
			n = len(b)
		}
		for len(b) > 0 {
			k := min(n, len(b))
			c.observe(s.d, b[:k])
			b = b[k:]
		}
	}
	return regexp.MustCompile(`\+\d+\.\d+s`).ReplaceAllString(out.String(), "+T")
}

// TestMonitorPieces checks that the trace does not depend on how the bytes
// are cut into reads: a keep-alive poll, a chunked response, an upgrade
// with frames in the same read as the 101.
func TestMonitorPieces(t *testing.T) {
	steps := []struct {
		d    direction
		data string
	}{
		{up, "GET /poll?since=0 HTTP/1.1\r\nHost: x\r\n\r\n"},
		{down, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
		{up, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"},
		{down, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n"},
		{up, upgradeRequest},
		{down, upgradeResponse + string(frame(0x81, false, []byte("welcome")))},
		{up, string(frame(0x81, true, []byte("hi"))) + string(frame(0x88, true, closeBody(1001, "going away")))},
	}
	whole := trace(steps, 0)
	for _, want := range []string{
		"GET /poll?since=0 HTTP/1.1  head 39 B",
		"HTTP/1.1 200 OK  head 38 B  body 5 B",
		"HTTP/1.1 200 OK  head 47 B  body 44 B (2 chunks)",
		"GET /ws HTTP/1.1  head 150 B",
		"HTTP/1.1 101 Switching Protocols  head 129 B",
		`server→client  text    FIN   unmasked  7 B  "welcome"`,
		`client→server  text    FIN   masked    2 B  "hi"`,
		`client→server  close   FIN   masked    2+10 B  1001 "going away"`,
	} {
		if !strings.Contains(whole, want) {
			t.Errorf("the trace lacks %q:\n%s", want, whole)
		}
	}
	for _, size := range []int{1, 2, 3, 7, 100} {
		if got := trace(steps, size); got != whole {
			t.Errorf("in pieces of %d bytes the trace is\n%s\nwant, as when whole,\n%s", size, got, whole)
		}
	}
}

// TestMonitorDeflate checks that a handshake that agrees on
// permessage-deflate lets RSV1 mark compressed messages.
func TestMonitorDeflate(t *testing.T) {
	got := trace([]struct {
		d    direction
		data string
	}{
		{up, upgradeRequest},
		{down, strings.Replace(upgradeResponse, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", 1)},
		{up, string(frame(0xC1, true, []byte{0xf2, 0x48}))},
	}, 0)
	if want := `client→server  text    FIN   masked    RSV1 (compressed)  2 B  f2 48`; !strings.Contains(got, want) {
		t.Errorf("the trace lacks %q:\n%s", want, got)
	}
}

// TestMonitorHeaders checks that plain requests show their headers only
// when asked to.
func TestMonitorHeaders(t *testing.T) {
	steps := []struct {
		d    direction
		data string
	}{
		{up, "GET /poll HTTP/1.1\r\nHost: x\r\nCookie: a=b\r\n\r\n"},
		{down, "HTTP/1.1 204 No Content\r\nX-Y: z\r\n\r\n"},
	}
	if got := trace(steps, 0); strings.Contains(got, "Cookie") || strings.Contains(got, "X-Y") {
		t.Errorf("headers of a plain request shown without AllHeaders:\n%s", got)
	}
	got := traceWith(Config{AllHeaders: true}, steps, 0)
	if !inOrder(got, []string{"GET /poll HTTP/1.1  head 44 B", "Host: x", "Cookie: a=b", "HTTP/1.1 204 No Content  head 35 B", "X-Y: z"}) {
		t.Errorf("with AllHeaders, the trace lacks the headers:\n%s", got)
	}
}
