// Package wsframe decodes RFC 6455 frames from a stream of bytes as they pass,
// for the course's tracing proxy.
//
// The decoder is fed whatever chunks a TCP read returns and reports each frame
// once it has fully gone by. It never blocks and never holds bytes back, which
// is why it is written here rather than taken from a library: gobwas/ws and the
// others read headers from an io.Reader, which would make the proxy wait on
// its own decoder. It keeps at most the first 125 bytes of each payload, so a
// frame of any size costs the same memory.
package wsframe

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Opcode is a frame's opcode (RFC 6455 section 5.2).
type Opcode byte

// The opcodes RFC 6455 defines.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

// String is the opcode's name as the trace prints it.
func (o Opcode) String() string {
	switch o {
	case OpContinuation:
		return "cont"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	return fmt.Sprintf("op=0x%X", byte(o))
}

// IsControl reports whether o is a control opcode (close, ping, pong and the
// reserved 0xB-0xF).
func (o Opcode) IsControl() bool { return o&0x8 != 0 }

func (o Opcode) known() bool {
	switch o {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		return true
	}
	return false
}

// Kept is how many payload bytes a Frame keeps: all of any valid control
// frame, so that a close frame's code and reason are always whole.
const Kept = 125

// Frame is one decoded frame.
type Frame struct {
	Fin       bool
	RSV       byte // the RSV1-3 bits as a number: 4 is RSV1, 2 RSV2, 1 RSV3
	Op        Opcode
	Masked    bool
	Key       [4]byte
	HeaderLen int    // 2 to 14 bytes
	Length    uint64 // of the payload
	Payload   []byte // its first Kept bytes at most, unmasked
	// Compressed is RSV1 under permessage-deflate: the payload is the
	// compressed message, shown in hex.
	Compressed bool
	// Problems are the ways the frame breaks RFC 6455, in words; empty for a
	// valid frame.
	Problems []string
}

// Close returns a close frame's status code and reason; ok is false when the
// payload is empty (no status code) or the frame is not a close frame.
func (f Frame) Close() (code uint16, reason string, ok bool) {
	if f.Op != OpClose || len(f.Payload) < 2 {
		return 0, "", false
	}
	return binary.BigEndian.Uint16(f.Payload), string(f.Payload[2:]), true
}

// ValidCloseCode reports whether code may be sent in a close frame: RFC 6455
// section 7.4 and the IANA registry (1012-1014), and the ranges for libraries
// (3000-3999) and applications (4000-4999). 1005, 1006 and 1015 are only ever
// reported locally, never sent.
func ValidCloseCode(code uint16) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// String is the frame in one line, the way the trace prints it: opcode, FIN,
// RSV bits, masking, length and a preview of the payload (or a close frame's
// code and reason), then any problems.
func (f Frame) String() string {
	var b strings.Builder
	fin := "more"
	if f.Fin {
		fin = "FIN"
	}
	mask := "unmasked"
	if f.Masked {
		mask = "masked"
	}
	fmt.Fprintf(&b, "%-6s  %-4s  %-8s", f.Op, fin, mask)
	switch {
	case f.Compressed && f.RSV == 4:
		b.WriteString("  RSV1 (compressed)")
	case f.RSV != 0:
		fmt.Fprintf(&b, "  %s", rsvNames(f.RSV))
	}
	if code, reason, ok := f.Close(); ok {
		fmt.Fprintf(&b, "  2+%d B  %d %s", f.Length-2, code, quote([]byte(reason), int(f.Length-2)))
	} else {
		fmt.Fprintf(&b, "  %d B", f.Length)
		op := f.Op
		if f.Compressed {
			op = OpBinary
		}
		if f.Length > 0 {
			b.WriteString("  " + Preview(op, f.Payload, f.Length))
		}
	}
	for _, p := range f.Problems {
		b.WriteString("  !" + p)
	}
	return b.String()
}

func rsvNames(rsv byte) string {
	var names []string
	for i, bit := range []byte{4, 2, 1} {
		if rsv&bit != 0 {
			names = append(names, fmt.Sprintf("RSV%d", i+1))
		}
	}
	return strings.Join(names, "+")
}

// previewLen is how much of a payload a trace line shows.
const previewLen = 40

// Preview shows the start of a payload of total bytes: text quoted, with
// escapes, binary (and anything that is not UTF-8) in hex.
func Preview(op Opcode, payload []byte, total uint64) string {
	if op == OpBinary || (op != OpText && op != OpContinuation && !utf8.Valid(payload)) {
		n := min(len(payload), 16)
		s := fmt.Sprintf("% x", payload[:n])
		if uint64(n) < total {
			s += " ..."
		}
		return s
	}
	return quote(payload, int(total))
}

// quote is s as a Go string literal, cut to previewLen bytes (at a rune) with
// an ellipsis when it was longer than what it shows.
func quote(s []byte, total int) string {
	n := len(s)
	if n > previewLen {
		n = previewLen
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
	}
	q := fmt.Sprintf("%q", s[:n])
	if n < total {
		q += "..."
	}
	return q
}
