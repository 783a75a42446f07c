package main

import (
	"fmt"
	"net/http"
	"time"
)

// The vocabulary of RFC 6455 shared by the frame codec and the echo loop.

// opcode is the 4-bit frame type (RFC 6455, section 5.2).
type opcode byte

const (
	opContinuation opcode = 0x0
	opText         opcode = 0x1
	opBinary       opcode = 0x2
	opClose        opcode = 0x8
	opPing         opcode = 0x9
	opPong         opcode = 0xA
)

// isControl reports whether op is a control frame (close, ping, pong): those
// have the high bit of the opcode set (section 5.5).
func (op opcode) isControl() bool { return op&0x8 != 0 }

func (op opcode) String() string {
	switch op {
	case opContinuation:
		return "continuation"
	case opText:
		return "text"
	case opBinary:
		return "binary"
	case opClose:
		return "close"
	case opPing:
		return "ping"
	case opPong:
		return "pong"
	}
	return fmt.Sprintf("opcode 0x%X", byte(op))
}

// frame is one WebSocket frame, payload already unmasked.
type frame struct {
	fin     bool
	op      opcode
	payload []byte
}

// Close codes used by this server (section 7.4.1).
const (
	closeNormal         = 1000 // the peer is done
	closeGoingAway      = 1001 // the server is shutting down
	closeProtocolError  = 1002 // the peer broke the framing rules
	closeNoStatus       = 1005 // never sent on the wire: stands for a close frame with an empty body
	closeInvalidPayload = 1007 // a text message that is not UTF-8
	closeMessageTooBig  = 1009 // a message over maxMessageSize
)

// maxMessageSize is the largest message the server accepts, counted after the
// fragments of a message are joined: 65536 bytes pass, 65537 do not.
const maxMessageSize = 64 << 10

// closeError ends a connection with a close frame carrying code and reason.
// The frame reader and the echo loop return it for anything the peer got
// wrong, and the echo loop also returns it to answer the peer's own close.
type closeError struct {
	code   uint16
	reason string
}

func (e *closeError) Error() string {
	if e.code == closeNoStatus {
		return "close with no status code"
	}
	return fmt.Sprintf("close %d: %s", e.code, e.reason)
}

// upgrader answers opening handshakes, as gorilla/websocket's Upgrader does.
type upgrader struct {
	checkOrigin func(r *http.Request) bool // whether the page r comes from may connect
	writeWait   time.Duration              // time allowed to write the 101 response
}

// handshakeError is a refused opening handshake: the HTTP status to answer
// with and a one-line reason for the response body.
type handshakeError struct {
	status int
	reason string
}

func (e *handshakeError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, http.StatusText(e.status), e.reason)
}
