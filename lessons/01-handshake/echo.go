package main

import (
	"time"
)

// echo sends every message back to the peer with the same type and bytes,
// answers pings, and returns why it stopped.
func (c *conn) echo() error {
	for {
		f, err := c.nextFrame(maxMessageSize)
		if err != nil {
			return err
		}
		// TODO: send each message back (c.send) as one frame with the same
		// type and bytes:
		//   - join the fragments of a message (section 5.4); a message longer
		//     than maxMessageSize, counted whole, closes with
		//     closeMessageTooBig and a reason that says the message is over
		//     the limit (readFrame's reason knows only the frame)
		//   - answer a ping with a pong carrying the same payload; ignore pongs
		//   - a continuation frame with no message to continue, or a new text
		//     or binary frame inside a fragmented message: closeProtocolError
		//   - a text message that is not valid UTF-8: closeInvalidPayload
		//   - a pong or an echo that cannot be sent: return c.send's error
		if f.op == opClose {
			return peerClose(f.payload)
		}
	}
}

// nextFrame waits for the next frame, keeping the connection alive.
func (c *conn) nextFrame(limit int64) (frame, error) {
	// TODO: keepalive. A peer silent for c.cfg.pingPeriod is sent a ping and
	// must send something within c.cfg.pongWait, or it is dropped. A frame
	// that has begun must arrive whole within c.cfg.pongWait. Every wait is a
	// read deadline, set with c.setReadDeadline. A read error that is not a
	// timeout means the peer is gone: return it.
	if err := c.setReadDeadline(time.Time{}); err != nil {
		return frame{}, err
	}
	return readFrame(c.br, limit)
}

// peerClose turns the body of the peer's close frame into the close to answer
// with: the same code, or an error when the body is malformed.
func peerClose(body []byte) error {
	// TODO: answer an empty body with an empty body (closeNoStatus) and a
	// valid code with the same code. A 1-byte body, or a code a peer may not
	// send (section 7.4), closes with closeProtocolError; a reason that is
	// not valid UTF-8, with closeInvalidPayload.
	return &closeError{closeProtocolError, "peerClose is not written yet"}
}

// closeWith sends a close frame, with an empty body for closeNoStatus, and
// then closes the connection.
func (c *conn) closeWith(code uint16, reason string) {
	// TODO: the body of a close frame is the code, 2 bytes big-endian, then
	// the reason; the whole body fits in 125 bytes (section 5.5.1), and a
	// reason cut to fit is still valid UTF-8. After the frame, c.finish
	// closes the TCP connection in order; c.drop is for a peer that is gone.
	_ = c.send(frame{fin: true, op: opClose})
	c.finish()
}
