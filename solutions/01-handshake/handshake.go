package main

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// websocketGUID is the fixed string of RFC 6455 section 1.3 that the server
// appends to the client's key, proving it speaks WebSocket and is not an
// unsuspecting HTTP server replaying headers.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// checkHandshake validates r as a client's opening handshake (RFC 6455
// section 4.2.1). It returns nil for a valid one.
func checkHandshake(r *http.Request) *handshakeError {
	if !r.ProtoAtLeast(1, 1) {
		return &handshakeError{http.StatusBadRequest, fmt.Sprintf("%s cannot upgrade: a WebSocket handshake needs HTTP/1.1 or higher", r.Proto)}
	}
	if r.Method != http.MethodGet {
		return &handshakeError{http.StatusMethodNotAllowed, fmt.Sprintf("method %q not allowed: a WebSocket handshake is a GET", r.Method)}
	}
	if !hasToken(r.Header, "Upgrade", "websocket") {
		return &handshakeError{http.StatusBadRequest, `missing "Upgrade: websocket" header`}
	}
	if !hasToken(r.Header, "Connection", "upgrade") {
		return &handshakeError{http.StatusBadRequest, `missing "Connection: Upgrade" header`}
	}
	if len(r.Header.Values("Sec-WebSocket-Version")) == 0 {
		return &handshakeError{http.StatusBadRequest, "missing Sec-WebSocket-Version header"}
	}
	if v := r.Header.Get("Sec-WebSocket-Version"); v != "13" {
		return &handshakeError{http.StatusUpgradeRequired, fmt.Sprintf("unsupported Sec-WebSocket-Version %q: this server speaks 13", v)}
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if key == "" {
		return &handshakeError{http.StatusBadRequest, "missing Sec-WebSocket-Key header"}
	}
	if b, err := base64.StdEncoding.DecodeString(key); err != nil || len(b) != 16 {
		return &handshakeError{http.StatusBadRequest, "Sec-WebSocket-Key must be 16 bytes in base64"}
	}
	return nil
}

// hasToken reports whether the comma-separated lists in header name hold
// token, compared case-insensitively (RFC 9110 section 5.6.1).
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// acceptKey computes Sec-WebSocket-Accept for a client's Sec-WebSocket-Key
// (RFC 6455 section 4.2.2): base64 of the SHA-1 of key and the GUID.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + websocketGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// upgrade answers the opening handshake. It refuses an invalid request, or a
// page from an origin u.checkOrigin does not allow, with its status and
// reason; or it takes the TCP connection over from net/http and writes the
// 101 response. On error the request has been answered.
func (u upgrader) upgrade(w http.ResponseWriter, r *http.Request) (net.Conn, *bufio.ReadWriter, error) {
	herr := checkHandshake(r)
	if herr == nil && !u.checkOrigin(r) {
		herr = &handshakeError{http.StatusForbidden, fmt.Sprintf("origin %q is not allowed to connect", r.Header.Get("Origin"))}
	}
	if herr != nil {
		switch herr.status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", http.MethodGet)
		case http.StatusUpgradeRequired:
			w.Header().Set("Sec-WebSocket-Version", "13")
		}
		http.Error(w, herr.reason, herr.status)
		return nil, nil, herr
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "this connection cannot be upgraded (HTTP/2?)", http.StatusInternalServerError)
		return nil, nil, errors.New("response writer is not a http.Hijacker")
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		http.Error(w, "cannot take over the connection", http.StatusInternalServerError)
		return nil, nil, err
	}
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + acceptKey(r.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n")
	if err := nc.SetWriteDeadline(time.Now().Add(u.writeWait)); err != nil {
		nc.Close()
		return nil, nil, err
	}
	if err := brw.Flush(); err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, brw, nil
}
