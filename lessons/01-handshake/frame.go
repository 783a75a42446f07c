package main

import (
	"errors"
	"io"
)

// A frame on the wire (RFC 6455 section 5.2):
//
//	byte 0: FIN, RSV1-3, opcode (4 bits)
//	byte 1: MASK, payload length (7 bits: 0-125, or 126 / 127 for longer)
//	then 2 bytes (126) or 8 bytes (127) of length, big-endian
//	then the 4-byte masking key when MASK is set, then the payload.

// errNotWritten stands in for the code still to be written.
var errNotWritten = errors.New("not written yet: see the TODOs in frame.go")

// readFrame reads one frame sent by a client. It refuses, with a
// *closeError, anything a client must not send, and a data frame whose
// payload is longer than limit, before allocating memory for it. A stream that
// ends before the frame does gives io.EOF (no byte read) or
// io.ErrUnexpectedEOF.
func readFrame(r io.Reader, limit int64) (frame, error) {
	// TODO: read the header, the length (7, 16 or 64 bits), the masking key
	// and the payload, and unmask it (section 5.3).
	// TODO: refuse with closeProtocolError: an unmasked frame, RSV bits set,
	// an unknown opcode, a 64-bit length with its top bit set, a control
	// frame that is fragmented or over 125 bytes. Refuse with
	// closeMessageTooBig a data frame longer than limit.
	return frame{}, errNotWritten
}

// writeFrame writes f as a server frame: unmasked, with the shortest length
// encoding.
func writeFrame(w io.Writer, f frame) error {
	// TODO: write the header and the payload as section 5.2 lays them out,
	// and return the error of a write that fails.
	return errNotWritten
}
