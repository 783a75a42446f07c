package main

import (
	"encoding/binary"
	"fmt"
	"io"
)

// A frame on the wire (RFC 6455 section 5.2):
//
//	byte 0: FIN, RSV1-3, opcode (4 bits)
//	byte 1: MASK, payload length (7 bits: 0-125, or 126 / 127 for longer)
//	then 2 bytes (126) or 8 bytes (127) of length, big-endian
//	then the 4-byte masking key when MASK is set, then the payload.

// readFrame reads one frame sent by a client. It refuses, with a
// *closeError, anything a client must not send, and a data frame whose
// payload is longer than limit, before allocating memory for it. A stream that
// ends before the frame does gives io.EOF (no byte read) or
// io.ErrUnexpectedEOF.
func readFrame(r io.Reader, limit int64) (frame, error) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return frame{}, err
	}
	f := frame{fin: head[0]&0x80 != 0, op: opcode(head[0] & 0x0F)}
	if rsv := head[0] & 0x70; rsv != 0 {
		return frame{}, &closeError{closeProtocolError, fmt.Sprintf("reserved bits 0x%02X set without an extension", rsv)}
	}
	switch f.op {
	case opContinuation, opText, opBinary, opClose, opPing, opPong:
	default:
		return frame{}, &closeError{closeProtocolError, fmt.Sprintf("unknown opcode 0x%X", byte(f.op))}
	}
	if head[1]&0x80 == 0 {
		return frame{}, &closeError{closeProtocolError, "client frames must be masked"}
	}

	n := uint64(head[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return frame{}, noEOF(err)
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return frame{}, noEOF(err)
		}
		n = binary.BigEndian.Uint64(ext[:])
		if n>>63 != 0 {
			return frame{}, &closeError{closeProtocolError, "64-bit payload length with the most significant bit set"}
		}
	}

	if f.op.isControl() {
		if !f.fin {
			return frame{}, &closeError{closeProtocolError, f.op.String() + " frame is fragmented"}
		}
		if n > 125 {
			return frame{}, &closeError{closeProtocolError, fmt.Sprintf("%s frame of %d bytes, control frames carry at most 125", f.op, n)}
		}
	} else if n > uint64(max(limit, 0)) {
		return frame{}, &closeError{closeMessageTooBig, fmt.Sprintf("frame of %d bytes, over the limit of %d", n, max(limit, 0))}
	}

	var mask [4]byte
	if _, err := io.ReadFull(r, mask[:]); err != nil {
		return frame{}, noEOF(err)
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return frame{}, noEOF(err)
	}
	for i := range f.payload {
		f.payload[i] ^= mask[i%4]
	}
	return f, nil
}

// noEOF turns io.EOF in the middle of a frame into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// writeFrame writes f as a server frame: unmasked, with the shortest length
// encoding.
func writeFrame(w io.Writer, f frame) error {
	var head [10]byte
	head[0] = byte(f.op)
	if f.fin {
		head[0] |= 0x80
	}
	n := len(f.payload)
	size := 2
	switch {
	case n <= 125:
		head[1] = byte(n)
	case n <= 0xFFFF:
		head[1] = 126
		binary.BigEndian.PutUint16(head[2:], uint16(n))
		size += 2
	default:
		head[1] = 127
		binary.BigEndian.PutUint64(head[2:], uint64(n))
		size += 8
	}
	if _, err := w.Write(head[:size]); err != nil {
		return err
	}
	_, err := w.Write(f.payload)
	return err
}
