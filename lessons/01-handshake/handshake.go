package main

import (
	"bufio"
	"errors"
	"net"
	"net/http"
)

// checkHandshake validates r as a client's opening handshake (RFC 6455
// section 4.2.1). It returns nil for a valid one.
func checkHandshake(r *http.Request) *handshakeError {
	// TODO: refuse, with a status and a one-line reason saying what is wrong:
	//   - a request older than HTTP/1.1: 400
	//   - a method other than GET: 405
	//   - an Upgrade header without the token "websocket", or a Connection
	//     header without the token "upgrade": 400 (tokens are compared
	//     case-insensitively, and a header may hold a comma-separated list)
	//   - no Sec-WebSocket-Version: 400; a version other than 13: 426
	//   - no Sec-WebSocket-Key, or one that is not 16 bytes in base64: 400
	return nil
}

// acceptKey computes Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
func acceptKey(key string) string {
	// TODO: compute the value of RFC 6455 section 4.2.2 (item 5, fourth
	// point) from key.
	return ""
}

// upgrade answers the opening handshake. It refuses an invalid request, or a
// page from an origin u.checkOrigin does not allow, with its status and
// reason; or it takes the TCP connection over from net/http and writes the
// 101 response. On error the request has been answered.
func (u upgrader) upgrade(w http.ResponseWriter, r *http.Request) (net.Conn, *bufio.ReadWriter, error) {
	// TODO: refuse a request checkHandshake finds invalid, and then one whose
	// origin u.checkOrigin does not allow (403), with the status and the
	// reason as a plain-text body. A 405 carries "Allow: GET", a 426 carries
	// "Sec-WebSocket-Version: 13".
	// TODO: take the connection over from net/http (http.Hijacker) and write
	// the 101 Switching Protocols response with the headers Upgrade,
	// Connection and Sec-WebSocket-Accept, under a write deadline of
	// u.writeWait. Return the bufio.ReadWriter that Hijack gave you: its
	// reader may already hold bytes the client sent after the request.
	// TODO: a ResponseWriter that is not a http.Hijacker, or a Hijack that
	// fails: answer 500. A 101 that cannot be written: close the connection.
	// Return an error in each case.
	http.Error(w, "the WebSocket handshake is not written yet: see upgrade in handshake.go", http.StatusNotImplemented)
	return nil, nil, errors.New("upgrade: not implemented")
}
