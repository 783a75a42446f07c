package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// errNoPong ends a connection whose peer did not answer a ping in time.
var errNoPong = errors.New("peer did not answer a ping in time")

// echo sends every message back to the peer with the same type and bytes,
// answers pings, and returns why it stopped.
func (c *conn) echo() error {
	var (
		msg       []byte
		msgOp     opcode
		inMessage bool // a fragmented message has begun and not ended
	)
	for {
		f, err := c.nextFrame(maxMessageSize - int64(len(msg)))
		var ce *closeError
		if errors.As(err, &ce) && ce.code == closeMessageTooBig {
			// readFrame knows only the frame; the limit is on the message.
			return &closeError{closeMessageTooBig, fmt.Sprintf("message over the %d-byte limit", maxMessageSize)}
		}
		if err != nil {
			return err
		}
		switch f.op {
		case opPing:
			if err := c.send(frame{fin: true, op: opPong, payload: f.payload}); err != nil {
				return err
			}
			continue
		case opPong:
			continue // an answer to our ping: nextFrame already saw the peer is alive
		case opClose:
			return peerClose(f.payload)
		case opContinuation:
			if !inMessage {
				return &closeError{closeProtocolError, "continuation frame with no message to continue"}
			}
			msg = append(msg, f.payload...)
		default: // text or binary: a new message
			if inMessage {
				return &closeError{closeProtocolError, "new " + f.op.String() + " frame inside a fragmented message"}
			}
			msgOp, msg, inMessage = f.op, append(msg[:0], f.payload...), true
		}
		if !f.fin {
			continue
		}
		inMessage = false
		if msgOp == opText && !utf8.Valid(msg) {
			return &closeError{closeInvalidPayload, "text message is not valid UTF-8"}
		}
		if err := c.send(frame{fin: true, op: msgOp, payload: msg}); err != nil {
			return err
		}
		msg = msg[:0]
	}
}

// nextFrame waits for the next frame. A peer silent for pingPeriod is pinged
// and must send something within pongWait; a frame, once begun, must arrive
// whole within pongWait, so a peer that stalls mid-frame is dropped.
func (c *conn) nextFrame(limit int64) (frame, error) {
	wait, pinged := c.cfg.pingPeriod, false
	for {
		if err := c.setReadDeadline(time.Now().Add(wait)); err != nil {
			return frame{}, err
		}
		// Peek consumes nothing, so waiting here may time out and be retried.
		_, err := c.br.Peek(1)
		if err == nil {
			break
		}
		switch {
		case !isTimeout(err):
			return frame{}, err
		case c.stopping():
			return frame{}, errShuttingDown
		case pinged:
			return frame{}, errNoPong
		}
		if err := c.send(frame{fin: true, op: opPing}); err != nil {
			return frame{}, err
		}
		wait, pinged = c.cfg.pongWait, true
	}
	if err := c.setReadDeadline(time.Now().Add(c.cfg.pongWait)); err != nil {
		return frame{}, err
	}
	return readFrame(c.br, limit)
}

// peerClose turns the body of the peer's close frame into the close to answer
// with: the same code, or an error when the body is malformed.
func peerClose(body []byte) error {
	switch len(body) {
	case 0:
		return &closeError{code: closeNoStatus}
	case 1:
		return &closeError{closeProtocolError, "close frame with a 1-byte body"}
	}
	code := binary.BigEndian.Uint16(body)
	if !validCloseCode(code) {
		return &closeError{closeProtocolError, fmt.Sprintf("invalid close code %d", code)}
	}
	if !utf8.Valid(body[2:]) {
		return &closeError{closeInvalidPayload, "close reason is not valid UTF-8"}
	}
	return &closeError{code: code}
}

// validCloseCode reports whether a peer may send code (RFC 6455 section
// 7.4): the defined codes that are not reserved for local use, and the
// ranges for libraries (3000-3999) and applications (4000-4999).
func validCloseCode(code uint16) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// closeWith sends a close frame, with an empty body for closeNoStatus, and
// then closes the connection.
func (c *conn) closeWith(code uint16, reason string) {
	var body []byte
	if code != closeNoStatus {
		if len(reason) > 123 { // a control frame carries 125 bytes, 2 are the code
			reason = strings.ToValidUTF8(reason[:123], "") // not half a character
		}
		body = binary.BigEndian.AppendUint16(nil, code)
		body = append(body, reason...)
	}
	if err := c.send(frame{fin: true, op: opClose, payload: body}); err != nil {
		c.drop()
		return
	}
	c.finish()
}
