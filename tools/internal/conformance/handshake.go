package conformance

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// acceptGUID is the GUID RFC 6455 section 1.3 appends to the key.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey is the Sec-WebSocket-Accept a server must answer key with.
func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// target is a parsed ws:// URL: where to dial and what to ask for.
type target struct {
	addr string // host:port
	host string // the Host header
	path string // path and query
}

// parseTarget accepts ws:// URLs only: the cases write raw frames on TCP, and
// a TLS layer is not what they test.
func parseTarget(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("url %q: %w", raw, err)
	}
	if u.Scheme != "ws" {
		return target{}, fmt.Errorf("url %q: the scheme must be ws", raw)
	}
	if u.Host == "" {
		return target{}, fmt.Errorf("url %q has no host", raw)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return target{addr: addr, host: u.Host, path: path}, nil
}

// handshake dials t and performs the opening handshake of RFC 6455 section
// 4.1 on the recorded connection, with a fresh random key. It returns the
// reader the frames that follow are read from (it may hold some already).
func handshake(rec *recorder, t target, origin string) (*bufio.Reader, error) {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	key := base64.StdEncoding.EncodeToString(raw[:])
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\n", t.path, t.host)
	req.WriteString("Upgrade: websocket\r\nConnection: Upgrade\r\n")
	fmt.Fprintf(&req, "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", key)
	if origin != "" {
		fmt.Fprintf(&req, "Origin: %s\r\n", origin)
	}
	req.WriteString("\r\n")
	if _, err := rec.Write([]byte(req.String())); err != nil {
		return nil, fmt.Errorf("sending the handshake: %w", err)
	}
	br := bufio.NewReaderSize(rec, 64<<10)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
	if err != nil {
		return nil, fmt.Errorf("reading the handshake response: %s", describe(err))
	}
	// The body of a 101 is the WebSocket stream: never read it as HTTP.
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, fmt.Errorf("handshake answered %s, want 101 Switching Protocols", resp.Status)
	}
	if !hasToken(resp.Header, "Upgrade", "websocket") {
		return nil, fmt.Errorf("handshake response has Upgrade %q, want websocket", resp.Header.Get("Upgrade"))
	}
	if !hasToken(resp.Header, "Connection", "upgrade") {
		return nil, fmt.Errorf("handshake response has Connection %q, want Upgrade", resp.Header.Get("Connection"))
	}
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), acceptKey(key); got != want {
		return nil, fmt.Errorf("handshake response has Sec-WebSocket-Accept %q, want %q for key %q", got, want, key)
	}
	// An extension the client did not offer is a failure (RFC 6455 section 4.1).
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		return nil, fmt.Errorf("handshake response agrees to extensions %q that were not offered", ext)
	}
	return br, nil
}

// hasToken reports whether header name holds token in its comma lists,
// compared case-insensitively.
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
