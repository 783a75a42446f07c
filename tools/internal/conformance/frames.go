package conformance

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"syscall"
	"unicode/utf8"

	"wscourse/tools/internal/wsframe"
)

// The opcodes of RFC 6455 section 5.2.
const (
	opCont   byte = 0x0
	opText   byte = 0x1
	opBinary byte = 0x2
	opClose  byte = 0x8
	opPing   byte = 0x9
	opPong   byte = 0xA
)

// opName names an opcode in verdicts.
func opName(op byte) string {
	switch op {
	case opCont:
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
	return fmt.Sprintf("opcode 0x%X", op)
}

// frame is a frame the client sends. The zero values make a valid frame:
// FIN set, no RSV bits, masked with a random key, the shortest length form.
type frame struct {
	op       byte
	payload  []byte
	more     bool // FIN clear: more fragments follow
	rsv      byte // RSV1-3 as a number: 4 is RSV1, 2 RSV2, 1 RSV3
	unmasked bool
	// length, when set, replaces the payload's length in the header, for
	// lengths no payload could carry.
	length uint64
}

// bytes encodes f as it goes on the wire.
func (f frame) bytes() []byte {
	b0 := f.rsv<<4 | f.op&0x0F
	if !f.more {
		b0 |= 0x80
	}
	n := uint64(len(f.payload))
	if f.length != 0 {
		n = f.length
	}
	if f.unmasked {
		return wsframe.Append(nil, b0, n, nil, f.payload)
	}
	var key [4]byte
	binary.BigEndian.PutUint32(key[:], rand.Uint32())
	return wsframe.Append(nil, b0, n, &key, f.payload)
}

// Shorthands for the frames cases send most.
func text(s string) frame            { return frame{op: opText, payload: []byte(s)} }
func textB(p []byte) frame           { return frame{op: opText, payload: p} }
func binaryF(p []byte) frame         { return frame{op: opBinary, payload: p} }
func ping(p []byte) frame            { return frame{op: opPing, payload: p} }
func pong(p []byte) frame            { return frame{op: opPong, payload: p} }
func cont(p []byte) frame            { return frame{op: opCont, payload: p} }
func closeF(body []byte) frame       { return frame{op: opClose, payload: body} }
func (f frame) notFin() frame        { f.more = true; return f }
func (f frame) withRSV(r byte) frame { f.rsv = r; return f }

// closeBody is a close frame's body: the code, big-endian, then the reason.
func closeBody(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}

// received is a frame the server sent, payload unmasked.
type received struct {
	fin     bool
	rsv     byte
	op      byte
	masked  bool
	payload []byte
}

// maxReceived bounds the payload of a frame from the server: past it, the
// length is taken for garbage rather than read.
const maxReceived = 16 << 20

// readFrame reads one frame from r.
func readFrame(r io.Reader) (received, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return received{}, err
	}
	f := received{fin: h[0]&0x80 != 0, rsv: h[0] >> 4 & 7, op: h[0] & 0x0F, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return f, midFrame(err)
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return f, midFrame(err)
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > maxReceived {
		return f, fmt.Errorf("server frame claims %d bytes, more than any echo here: not reading it", n)
	}
	var key [4]byte
	if f.masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return f, midFrame(err)
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return f, midFrame(err)
	}
	if f.masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

// midFrame turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func midFrame(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// problem is what makes a frame from the server break RFC 6455, or "".
func (f received) problem() string {
	switch {
	case f.masked:
		return "the server masked a frame (RFC 6455 section 5.1: a server MUST NOT mask)"
	case f.rsv != 0:
		return fmt.Sprintf("the server set reserved bits %03b with no extension agreed (section 5.2)", f.rsv)
	}
	switch f.op {
	case opCont, opText, opBinary:
		return ""
	case opClose, opPing, opPong:
	default:
		return fmt.Sprintf("the server sent reserved opcode 0x%X (section 5.2)", f.op)
	}
	switch {
	case !f.fin:
		return "the server fragmented a control frame (section 5.5)"
	case len(f.payload) > 125:
		return fmt.Sprintf("the server sent a %s frame of %d bytes, over 125 (section 5.5)", opName(f.op), len(f.payload))
	}
	if f.op != opClose {
		return ""
	}
	switch code, reason, ok := f.close(); {
	case len(f.payload) == 1:
		return "the server's close frame has a 1-byte body (section 5.5.1)"
	case ok && !wsframe.ValidCloseCode(code):
		return fmt.Sprintf("the server's close frame has code %d, which may not be sent (section 7.4)", code)
	case ok && !utf8.ValidString(reason):
		return "the server's close reason is not UTF-8 (section 5.5.1)"
	}
	return ""
}

// close returns a close frame's code and reason; ok is false for an empty body.
func (f received) close() (code uint16, reason string, ok bool) {
	if len(f.payload) < 2 {
		return 0, "", false
	}
	return binary.BigEndian.Uint16(f.payload), string(f.payload[2:]), true
}

// String describes f in a verdict: its type, size and, for a close, code and reason.
func (f received) String() string {
	if f.op == opClose {
		code, reason, ok := f.close()
		if !ok {
			return "a close frame with no status code"
		}
		if reason == "" {
			return fmt.Sprintf("close %d", code)
		}
		return fmt.Sprintf("close %d %q", code, trimmed(reason))
	}
	return fmt.Sprintf("a %s frame of %d bytes", opName(f.op), len(f.payload))
}

// trimmed cuts s for a one-line verdict.
func trimmed(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// describe says in words how a read or write ended.
func describe(err error) string {
	switch {
	case err == nil:
		return "no error"
	case isTimeout(err):
		return "timed out"
	case errors.Is(err, io.EOF):
		return "the server closed the TCP connection (EOF)"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the TCP connection in the middle of a frame"
	case errors.Is(err, syscall.ECONNRESET):
		return "the server reset the TCP connection"
	case errors.Is(err, syscall.EPIPE):
		return "the server had closed the TCP connection (broken pipe)"
	}
	return err.Error()
}
