package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAcceptKey(t *testing.T) {
	assert.Equal(t, rfcAccept, acceptKey(rfcKey),
		"acceptKey(%q), the example of RFC 6455 section 1.3; see acceptKey in handshake.go", rfcKey)
}

// handshakeCase is a request and the answer it must get: 0 for accepted.
type handshakeCase struct {
	req    request
	status int
}

func handshakeCases() []handshakeCase {
	ok := validRequest()
	key := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	return []handshakeCase{
		{ok, 0},
		{ok.with("Upgrade", "WebSocket"), 0},
		{ok.with("Upgrade", "websocket, h2c"), 0},
		{ok.with("Connection", "keep-alive, Upgrade"), 0},
		{ok.with("Connection", "keep-alive,upgrade"), 0},
		{ok.with("Connection", "UPGRADE"), 0},
		{ok.with("Sec-WebSocket-Key", key(16)), 0},
		{ok.with("Upgrade", "h2c, websocket"), 0},
		{ok.with("Upgrade", "WEBSOCKET"), 0},
		{ok.with("Connection", "Upgrade, keep-alive"), 0},
		{ok.with("Connection", "keep-alive").also("Connection", "Upgrade"), 0}, // the list split over two lines

		{ok.withMethod("POST"), http.StatusMethodNotAllowed},
		{ok.withMethod("PUT"), http.StatusMethodNotAllowed},
		{ok.withMethod("HEAD"), http.StatusMethodNotAllowed},
		{ok.withMethod("get"), http.StatusMethodNotAllowed}, // methods are case-sensitive
		{ok.withProto("HTTP/1.0"), http.StatusBadRequest},
		{ok.with("Upgrade", ""), http.StatusBadRequest},
		{ok.with("Upgrade", "h2c"), http.StatusBadRequest},
		{ok.with("Upgrade", "websockets"), http.StatusBadRequest},
		{ok.with("Upgrade", "h2c, websockets"), http.StatusBadRequest},
		{ok.with("Connection", ""), http.StatusBadRequest},
		{ok.with("Connection", "keep-alive"), http.StatusBadRequest},
		{ok.with("Connection", "upgraded"), http.StatusBadRequest},
		{ok.with("Connection", "keep-alive, upgraded"), http.StatusBadRequest},
		{ok.with("Sec-WebSocket-Key", ""), http.StatusBadRequest},
		{ok.with("Sec-WebSocket-Key", "not base64!"), http.StatusBadRequest},
		{ok.with("Sec-WebSocket-Key", key(15)), http.StatusBadRequest},
		{ok.with("Sec-WebSocket-Key", key(17)), http.StatusBadRequest},
		{ok.with("Sec-WebSocket-Key", strings.TrimRight(key(16), "=")), http.StatusBadRequest}, // 16 bytes, padding left out
		{ok.with("Sec-WebSocket-Key", "_____________________w=="), http.StatusBadRequest},      // 16 bytes in the URL alphabet
		{ok.with("Sec-WebSocket-Version", ""), http.StatusBadRequest},
		{ok.with("Sec-WebSocket-Version", "8"), http.StatusUpgradeRequired},
		{ok.with("Sec-WebSocket-Version", "14"), http.StatusUpgradeRequired},
		{ok.with("Sec-WebSocket-Version", "7"), http.StatusUpgradeRequired},
	}
}

// newRequest turns r into an *http.Request as net/http hands it to a handler.
func (r request) newRequest() *http.Request {
	req := httptest.NewRequest(r.method, "/ws", nil)
	if r.proto != "" {
		req.Proto = r.proto
		req.ProtoMajor, req.ProtoMinor, _ = http.ParseHTTPVersion(r.proto)
	}
	for _, h := range r.headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Add(name, strings.TrimSpace(value))
	}
	return req
}

func describe(status int) string {
	if status == 0 {
		return "nil (accepted)"
	}
	return fmt.Sprintf("%d %s", status, http.StatusText(status))
}

func TestCheckHandshake(t *testing.T) {
	for _, tc := range handshakeCases() {
		herr := checkHandshake(tc.req.newRequest())
		got := 0
		if herr != nil {
			got = herr.status
		}
		require.Equal(t, describe(tc.status), describe(got), "checkHandshake(%s); see checkHandshake in handshake.go", tc.req)
		if herr != nil {
			checkReason(t, herr.reason, fmt.Sprintf("checkHandshake(%s): reason", tc.req), "checkHandshake in handshake.go")
		}
	}
}

// checkReason checks a refusal says, in one line, what was wrong.
func checkReason(t *testing.T, reason, what, where string) {
	t.Helper()
	reason = strings.TrimSuffix(reason, "\n")
	require.NotEmpty(t, strings.TrimSpace(reason), "%s is empty, want one line saying what was wrong; see %s", what, where)
	require.NotContains(t, reason, "\n", "%s: want a single line (%%q quotes what the client sent); see %s", what, where)
}

func FuzzCheckHandshake(f *testing.F) {
	for _, tc := range handshakeCases() {
		r := tc.req.newRequest()
		f.Add(r.Method, r.Header.Get("Upgrade"), r.Header.Get("Connection"), r.Header.Get("Sec-WebSocket-Key"), r.Header.Get("Sec-WebSocket-Version"))
	}
	const where = "see checkHandshake in handshake.go"
	f.Fuzz(func(t *testing.T, method, upgrade, connection, key, version string) {
		req := httptest.NewRequest("GET", "/ws", nil)
		req.Method = method
		set := func(name, value string) {
			if value != "" {
				req.Header.Set(name, value)
			}
		}
		set("Upgrade", upgrade)
		set("Connection", connection)
		set("Sec-WebSocket-Key", key)
		set("Sec-WebSocket-Version", version)
		desc := fmt.Sprintf("checkHandshake(method %q, Upgrade %q, Connection %q, Sec-WebSocket-Key %q, Sec-WebSocket-Version %q)", method, upgrade, connection, key, version)

		herr := checkHandshake(req)
		decoded, keyErr := base64.StdEncoding.DecodeString(key)
		if herr == nil {
			// Accepted: then every field must be right. These checks are
			// looser than the rules, never stricter.
			require.True(t, method == "GET", "%s accepted a method other than GET; %s", desc, where)
			require.True(t, version == "13", "%s accepted a version other than 13; %s", desc, where)
			require.True(t, keyErr == nil && len(decoded) == 16, "%s accepted a key that is not 16 bytes in base64; %s", desc, where)
			require.True(t, strings.Contains(strings.ToUpper(upgrade), "WEBSOCKET"), "%s accepted an Upgrade without websocket; %s", desc, where)
			require.True(t, strings.Contains(strings.ToUpper(connection), "UPGRADE"), "%s accepted a Connection without upgrade; %s", desc, where)
			return
		}
		switch herr.status {
		case http.StatusMethodNotAllowed:
			require.True(t, method != "GET", "%s = 405 for a GET; %s", desc, where)
		case http.StatusUpgradeRequired:
			require.True(t, version != "" && version != "13", "%s = 426, which is for a version other than 13; %s", desc, where)
		case http.StatusBadRequest:
			require.True(t, method == "GET", "%s = 400, want 405 for a method other than GET; %s", desc, where)
		default:
			require.Failf(t, "unexpected status", "%s = %s, want 400, 405 or 426; %s", desc, describe(herr.status), where)
		}
		checkReason(t, herr.reason, desc+": reason", "checkHandshake in handshake.go")
		if method == "GET" && upgrade == "websocket" && connection == "Upgrade" && version == "13" && keyErr == nil && len(decoded) == 16 {
			require.Failf(t, "valid handshake refused", "%s = %s, want nil: this handshake is valid; %s", desc, describe(herr.status), where)
		}
	})
}

func TestHandshakeRefusals(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	ok := validRequest()
	for _, tc := range []struct {
		req          request
		status       int
		header, want string // a header the refusal must carry
	}{
		{ok.withMethod("POST"), http.StatusMethodNotAllowed, "Allow", "GET"},
		{ok.withProto("HTTP/1.0"), http.StatusBadRequest, "", ""},
		{ok.withMethod("get"), http.StatusMethodNotAllowed, "Allow", "GET"},
		{ok.with("Upgrade", "h2c"), http.StatusBadRequest, "", ""},
		{ok.with("Upgrade", "h2c, websockets"), http.StatusBadRequest, "", ""},
		{ok.with("Connection", "keep-alive"), http.StatusBadRequest, "", ""},
		{ok.with("Connection", "keep-alive, upgraded"), http.StatusBadRequest, "", ""},
		{ok.with("Sec-WebSocket-Key", ""), http.StatusBadRequest, "", ""},
		{ok.with("Sec-WebSocket-Key", "c2hvcnQ="), http.StatusBadRequest, "", ""},
		{ok.with("Sec-WebSocket-Version", ""), http.StatusBadRequest, "", ""},
		{ok.with("Sec-WebSocket-Version", "8"), http.StatusUpgradeRequired, "Sec-WebSocket-Version", "13"},
		{ok.with("Sec-WebSocket-Version", "14"), http.StatusUpgradeRequired, "Sec-WebSocket-Version", "13"},
	} {
		resp, _, _ := tc.req.send(t, ts.addr)
		require.Equal(t, describe(tc.status), describe(resp.StatusCode), "%s: status; see upgrade and checkHandshake in handshake.go", tc.req)
		if tc.header != "" {
			require.Equal(t, tc.want, resp.Header.Get(tc.header),
				"%s: a %d response must carry the header %s: %s; see upgrade in handshake.go", tc.req, tc.status, tc.header, tc.want)
		}
		require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain"),
			"%s: Content-Type = %q, want text/plain; see upgrade in handshake.go", tc.req, resp.Header.Get("Content-Type"))
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
		require.NoError(t, err, "%s: read the body", tc.req)
		checkReason(t, string(body), tc.req.String()+": response body", "upgrade in handshake.go")
		resp.Body.Close()
	}
}

func TestHandshakeAccepted(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	ok := validRequest()
	for _, req := range []request{
		ok,
		ok.with("Upgrade", "WebSocket").with("Connection", "keep-alive, Upgrade"),
	} {
		resp, _, _ := req.sendValid(t, ts.addr)
		require.Equal(t, describe(http.StatusSwitchingProtocols), describe(resp.StatusCode), "%s: status; see upgrade in handshake.go", req)
		assert.True(t, strings.EqualFold(resp.Header.Get("Upgrade"), "websocket"),
			"%s: response header Upgrade = %q, want websocket; see upgrade in handshake.go", req, resp.Header.Get("Upgrade"))
		assert.True(t, strings.EqualFold(resp.Header.Get("Connection"), "upgrade"),
			"%s: response header Connection = %q, want Upgrade; see upgrade in handshake.go", req, resp.Header.Get("Connection"))
		assert.Equal(t, rfcAccept, resp.Header.Get("Sec-WebSocket-Accept"),
			"%s: response header Sec-WebSocket-Accept; see upgrade and acceptKey in handshake.go", req)
	}
}

func TestOrigin(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, testFlags...)
	ok := validRequest()
	const where = "see upgrade in handshake.go: a page whose origin u.checkOrigin does not allow gets 403 (the rule is in origin.go)"
	for _, tc := range []struct {
		req    request
		status int
	}{
		{ok, http.StatusSwitchingProtocols}, // no Origin: a command-line client
		{ok.with("Origin", "http://"+ts.addr), http.StatusSwitchingProtocols},
		{ok.with("Host", "Example.COM").with("Origin", "http://example.com:80"), http.StatusSwitchingProtocols},
		{ok.with("Host", "example.com:443").with("Origin", "https://EXAMPLE.com"), http.StatusSwitchingProtocols},
		{ok.with("Origin", "http://evil.example"), http.StatusForbidden},
		// Behind a TLS proxy: a Host without a port takes the Origin's default.
		{ok.with("Host", "example.com").with("Origin", "https://example.com"), http.StatusSwitchingProtocols},
		{ok.with("Host", "[::1]").with("Origin", "http://[::1]:80"), http.StatusSwitchingProtocols},
		{ok.with("Host", "example.com").with("Origin", "http://example.com:8080"), http.StatusForbidden},
		{ok.with("Host", "example.com:80").with("Origin", "https://example.com"), http.StatusForbidden},
		{ok.with("Origin", "null"), http.StatusForbidden}, // a sandboxed page or a file
	} {
		send := tc.req.send
		if tc.status == http.StatusSwitchingProtocols {
			send = tc.req.sendValid
		}
		resp, _, _ := send(t, ts.addr)
		require.Equal(t, describe(tc.status), describe(resp.StatusCode), "%s: status; %s", tc.req, where)
		if tc.status == http.StatusForbidden {
			body, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
			require.NoError(t, err)
			checkReason(t, string(body), tc.req.String()+": response body", "upgrade in handshake.go")
		}
	}

	// With -origin, listed origins are let in too; a pattern without a port
	// allows any port.
	const list = "localhost:*,*.example.org:443,App.Example.NET"
	ts = startServer(t, append([]string{"-origin", list}, testFlags...)...)
	for _, tc := range []struct {
		origin string
		status int
	}{
		{"http://localhost:3000", http.StatusSwitchingProtocols},
		{"https://app.example.org", http.StatusSwitchingProtocols},
		{"http://app.example.net:8443", http.StatusSwitchingProtocols},
		{"https://APP.example.net", http.StatusSwitchingProtocols},
		{"http://app.example.org", http.StatusForbidden},
		{"http://evil.example", http.StatusForbidden},
	} {
		req := ok.with("Origin", tc.origin)
		send := req.send
		if tc.status == http.StatusSwitchingProtocols {
			send = req.sendValid
		}
		resp, _, _ := send(t, ts.addr)
		require.Equal(t, describe(tc.status), describe(resp.StatusCode), "%s, server run with -origin %s: status; %s", req, list, where)
	}

	// A value that could never match is refused when the server starts.
	stopped, cancel := context.WithCancel(context.Background())
	cancel() // should run get past the flags, it returns at once
	for _, bad := range []string{"http://example.org", "["} {
		err := run(stopped, []string{"-addr", "127.0.0.1:0", "-origin", bad}, io.Discard, io.Discard)
		require.Error(t, err, "run with -origin %q: want an error at start (origin.go and flags.go are given: are they the originals?)", bad)
		assert.Contains(t, err.Error(), "-origin", "run with -origin %q: the error should name the flag", bad)
	}
}

// hijacker is a ResponseWriter that hands over nc, as net/http's does, or
// fails with err.
type hijacker struct {
	*httptest.ResponseRecorder
	nc  net.Conn
	err error
}

func (h hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h.err != nil {
		return nil, nil, h.err
	}
	return h.nc, bufio.NewReadWriter(bufio.NewReader(h.nc), bufio.NewWriter(h.nc)), nil
}

// spyConn records whether Close was called.
type spyConn struct {
	net.Conn
	closed atomic.Bool
}

func (c *spyConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

// tryUpgrade calls u.upgrade within readTimeout and turns a panic into an
// error the test can show.
func tryUpgrade(t *testing.T, u upgrader, w http.ResponseWriter, what string) (net.Conn, error) {
	t.Helper()
	type result struct {
		nc  net.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("upgrade panicked: %v", p)}
			}
		}()
		nc, _, err := u.upgrade(w, validRequest().newRequest())
		done <- result{nc, err}
	}()
	select {
	case r := <-done:
		require.NotContains(t, fmt.Sprint(r.err), "upgrade panicked", "%s: %v; see upgrade in handshake.go", what, r.err)
		return r.nc, r.err
	case <-time.After(readTimeout):
		require.FailNowf(t, "upgrade blocked", "%s: upgrade had not returned %v later (-write-wait %v); see upgrade in handshake.go: is the 101 written under a write deadline of u.writeWait?", what, readTimeout, u.writeWait)
		return nil, nil
	}
}

func TestUpgradeFailures(t *testing.T) {
	checkNoLeaks(t)
	u := upgrader{checkOrigin: func(*http.Request) bool { return true }, writeWait: 50 * time.Millisecond}

	// Not every ResponseWriter can hand over its connection (HTTP/2's cannot),
	// and Hijack itself may fail: the client is told, with a 500.
	for _, tc := range []struct {
		what string
		wrap func(*httptest.ResponseRecorder) http.ResponseWriter
	}{
		{"a valid handshake on a ResponseWriter that is not a http.Hijacker", func(rec *httptest.ResponseRecorder) http.ResponseWriter { return rec }},
		{"a valid handshake whose Hijack fails", func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return hijacker{ResponseRecorder: rec, err: errors.New("hijack failed")}
		}},
	} {
		rec := httptest.NewRecorder()
		nc, err := tryUpgrade(t, u, tc.wrap(rec), tc.what)
		require.Error(t, err, "%s: upgrade returned no error; see upgrade in handshake.go", tc.what)
		require.Nil(t, nc, "%s: upgrade returned a connection with its error; see upgrade in handshake.go", tc.what)
		assert.Equal(t, describe(http.StatusInternalServerError), describe(rec.Code), "%s: status of the answer; see upgrade in handshake.go: the client must be told", tc.what)
	}

	// The 101 cannot be written: a client that does not read it, or one that
	// is already gone. The connection is closed, not leaked.
	for _, tc := range []struct {
		what     string
		peerGone bool
	}{
		{"a client that never reads the 101", false},
		{"a client gone before the 101", true},
	} {
		server, peer := net.Pipe() // unbuffered: a write waits for the peer to read
		t.Cleanup(func() { peer.Close() })
		if tc.peerGone {
			peer.Close()
		}
		spy := &spyConn{Conn: server}
		nc, err := tryUpgrade(t, u, hijacker{ResponseRecorder: httptest.NewRecorder(), nc: spy}, tc.what)
		require.Error(t, err, "%s: upgrade returned no error; see upgrade in handshake.go: is the error of the write (the Flush) returned?", tc.what)
		require.Nil(t, nc, "%s: upgrade returned a connection with its error; see upgrade in handshake.go", tc.what)
		assert.True(t, spy.closed.Load(), "%s: upgrade returned %q and left the connection open; the caller gets no connection to close: see upgrade in handshake.go", tc.what, err)
	}
}
