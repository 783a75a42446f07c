package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hexHead shows the first bytes of an encoded frame in failure messages.
func hexHead(b []byte) string {
	if len(b) == 0 {
		return "no bytes"
	}
	if len(b) > 16 {
		return fmt.Sprintf("% x ... (%d bytes)", b[:16], len(b))
	}
	return fmt.Sprintf("% x", b)
}

func TestReadFrame(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	payload := func(n int) []byte { return bytes.Repeat([]byte("abcdefg"), n/7+1)[:n] }
	for _, tc := range []struct {
		name string
		raw  []byte
		want frame
	}{
		// The masked "Hello" of RFC 6455 section 5.7.
		{"RFC 5.7 masked Hello", []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, frame{true, opText, []byte("Hello")}},
		{"empty text", clientFrame(0x81, true, key, nil), frame{true, opText, []byte{}}},
		{"binary, 125 bytes (7-bit length)", clientFrame(0x82, true, key, payload(125)), frame{true, opBinary, payload(125)}},
		{"binary, 126 bytes (16-bit length)", clientFrame(0x82, true, key, payload(126)), frame{true, opBinary, payload(126)}},
		{"binary, 65535 bytes (16-bit length)", clientFrame(0x82, true, key, payload(65535)), frame{true, opBinary, payload(65535)}},
		{"binary, 65536 bytes (64-bit length)", clientFrame(0x82, true, key, payload(65536)), frame{true, opBinary, payload(65536)}},
		{"text without FIN", clientFrame(0x01, true, key, []byte("Hel")), frame{false, opText, []byte("Hel")}},
		{"continuation with FIN", clientFrame(0x80, true, key, []byte("lo")), frame{true, opContinuation, []byte("lo")}},
		{"ping", clientFrame(0x89, true, key, []byte("are you there")), frame{true, opPing, []byte("are you there")}},
		{"ping of 125 bytes, the most a control frame carries", clientFrame(0x89, true, key, payload(125)), frame{true, opPing, payload(125)}},
		{"pong", clientFrame(0x8A, true, key, []byte("yes")), frame{true, opPong, []byte("yes")}},
		{"close 1000", clientFrame(0x88, true, key, []byte{0x03, 0xE8, 'b', 'y', 'e'}), frame{true, opClose, []byte{0x03, 0xE8, 'b', 'y', 'e'}}},
	} {
		// A second frame follows: readFrame must read exactly one.
		next := clientFrame(0x89, true, key, []byte("next"))
		r := bytes.NewReader(append(append([]byte{}, tc.raw...), next...))
		got, err := readFrame(r, maxMessageSize)
		require.NoError(t, err, "%s: readFrame(%s) returned the error %q, want a frame; see readFrame in frame.go", tc.name, hexHead(tc.raw), err)
		require.Equal(t, tc.want.fin, got.fin, "%s: readFrame(%s): fin; see readFrame in frame.go", tc.name, hexHead(tc.raw))
		require.True(t, tc.want.op == got.op, "%s: readFrame(%s): opcode = %s, want %s; see readFrame in frame.go", tc.name, hexHead(tc.raw), got.op, tc.want.op)
		if len(got.payload) != len(tc.want.payload) {
			require.Failf(t, "wrong payload length", "%s: readFrame(%s): payload is %d bytes, want %d; see readFrame in frame.go",
				tc.name, hexHead(tc.raw), len(got.payload), len(tc.want.payload))
		}
		if !bytes.Equal(tc.want.payload, got.payload) {
			shown := fmt.Sprintf("payload%s, want%s", preview(got.payload), preview(tc.want.payload))
			hint := "is it unmasked, byte i with byte i mod 4 of the key?"
			if len(tc.want.payload) > 125 {
				shown = fmt.Sprintf("the %d-byte payload differs from the one sent", len(got.payload))
				hint = "126 and 127 mean the length follows in 2 or 8 bytes, then the key: does the payload start after them, and is it unmasked?"
			}
			require.Failf(t, "wrong payload", "%s: readFrame(%s): %s: %s; %s see readFrame in frame.go",
				tc.name, hexHead(tc.raw), shown, firstDiff(got.payload, tc.want.payload), hint)
		}
		after, err := readFrame(r, maxMessageSize)
		require.NoError(t, err, "%s: readFrame read past the end of the frame: the frame after it could not be read; see readFrame in frame.go", tc.name)
		require.Equal(t, "next", string(after.payload), "%s: readFrame read past the end of the frame; see readFrame in frame.go", tc.name)
	}
}

func TestReadFrameErrors(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	long := func(n uint64) []byte { // a masked binary header declaring n bytes, and no payload
		b := binary.BigEndian.AppendUint64([]byte{0x82, 0xFF}, n)
		return append(b, key[:]...)
	}
	const limit = 100
	for _, tc := range []struct {
		name  string
		raw   []byte
		codes []uint16 // the close codes accepted
		err   error    // or the error wanted
	}{
		{"no bytes at all", nil, nil, io.EOF},
		{"one byte", []byte{0x81}, nil, io.ErrUnexpectedEOF},
		{"16-bit length cut short", []byte{0x82, 0xFE, 0x01}, nil, io.ErrUnexpectedEOF},
		{"masking key cut short", []byte{0x81, 0x85, 1, 2}, nil, io.ErrUnexpectedEOF},
		{"payload cut short", clientFrame(0x81, true, key, []byte("Hello"))[:8], nil, io.ErrUnexpectedEOF},
		{"unmasked frame", clientFrame(0x81, false, key, []byte("Hello")), []uint16{closeProtocolError}, nil},
		{"RSV1 set", clientFrame(0xC1, true, key, []byte("x")), []uint16{closeProtocolError}, nil},
		{"RSV2 set", clientFrame(0xA1, true, key, []byte("x")), []uint16{closeProtocolError}, nil},
		{"RSV3 set", clientFrame(0x91, true, key, []byte("x")), []uint16{closeProtocolError}, nil},
		{"opcode 0x3", clientFrame(0x83, true, key, []byte("x")), []uint16{closeProtocolError}, nil},
		{"opcode 0x7", clientFrame(0x87, true, key, []byte("x")), []uint16{closeProtocolError}, nil},
		{"opcode 0xB", clientFrame(0x8B, true, key, []byte("x")), []uint16{closeProtocolError}, nil},
		{"opcode 0xF", clientFrame(0x8F, true, key, []byte("x")), []uint16{closeProtocolError}, nil},
		{"ping of 126 bytes", clientFrame(0x89, true, key, make([]byte, 126)), []uint16{closeProtocolError}, nil},
		{"close of 126 bytes", clientFrame(0x88, true, key, make([]byte, 126)), []uint16{closeProtocolError}, nil},
		{"pong of 126 bytes", clientFrame(0x8A, true, key, make([]byte, 126)), []uint16{closeProtocolError}, nil},
		{"ping without FIN", clientFrame(0x09, true, key, []byte("x")), []uint16{closeProtocolError}, nil},
		{"close without FIN", clientFrame(0x08, true, key, []byte{0x03, 0xE8}), []uint16{closeProtocolError}, nil},
		// Section 5.2: the most significant bit of a 64-bit length must be 0.
		// Such a length is malformed, not merely too big.
		{"64-bit length with the top bit set", long(1 << 63), []uint16{closeProtocolError}, nil},
		{"64-bit length of all ones", long(1<<64 - 1), []uint16{closeProtocolError}, nil},
		{"text of limit+1 bytes", clientFrame(0x81, true, key, make([]byte, limit+1)), []uint16{closeMessageTooBig}, nil},
		{"header declaring 1 TiB, no payload", long(1 << 40), []uint16{closeMessageTooBig}, nil},
	} {
		_, err := readFrame(bytes.NewReader(tc.raw), limit)
		where := fmt.Sprintf("%s: readFrame(%s, limit %d)", tc.name, hexHead(tc.raw), limit)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, "%s: error = %v, want %v; see readFrame in frame.go", where, err, tc.err)
			continue
		}
		var ce *closeError
		require.ErrorAs(t, err, &ce, "%s: error = %v, want a *closeError with code %s; see readFrame in frame.go", where, err, codeList(tc.codes))
		require.Contains(t, tc.codes, ce.code, "%s: close code = %d, want %s; see readFrame in frame.go", where, ce.code, codeList(tc.codes))
		checkReason(t, ce.reason, where+": close reason", "readFrame in frame.go")
	}

	// A stream may end anywhere in a frame: before its first byte that is
	// io.EOF (the peer is gone between frames), after it, in the length, the
	// key or the payload, io.ErrUnexpectedEOF.
	for _, whole := range []struct {
		name string
		raw  []byte
	}{
		{"text of 5 bytes (7-bit length)", clientFrame(0x81, true, key, []byte("Hello"))},
		{"empty ping (nothing after the key)", clientFrame(0x89, true, key, nil)},
		{"binary of 200 bytes (16-bit length)", clientFrame(0x82, true, key, make([]byte, 200))},
		{"binary of 65536 bytes (64-bit length)", clientFrame(0x82, true, key, make([]byte, 65536))},
	} {
		for cut := range whole.raw {
			if cut > 20 && cut < len(whole.raw)-1 {
				continue // the header, the key, the payload's first and last bytes
			}
			_, err := readFrame(bytes.NewReader(whole.raw[:cut]), maxMessageSize)
			want := io.ErrUnexpectedEOF
			if cut == 0 {
				want = io.EOF
			}
			require.ErrorIs(t, err, want, "%s cut after %d of its %d bytes: readFrame(%s) error = %v, want %v; see readFrame in frame.go: is every part of the frame read with io.ReadFull, and is an io.EOF after the first byte turned into io.ErrUnexpectedEOF?",
				whole.name, cut, len(whole.raw), hexHead(whole.raw[:cut]), err, want)
		}
	}

	// A length cut short is no length at all: a header declaring 1 TiB, cut
	// in its 8 bytes of length, is io.ErrUnexpectedEOF, not 1009.
	for cut := 2; cut < 10; cut++ {
		raw := long(1 << 40)[:cut]
		_, err := readFrame(bytes.NewReader(raw), maxMessageSize)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "header declaring 1 TiB cut after %d of the 8 bytes of its length: readFrame(%s) error = %v, want io.ErrUnexpectedEOF: the length was never read whole; see readFrame in frame.go: is the error of every io.ReadFull returned?",
			cut-2, hexHead(raw), err)
	}

	// The limit itself passes.
	f, err := readFrame(bytes.NewReader(clientFrame(0x82, true, key, make([]byte, limit))), limit)
	require.NoError(t, err, "readFrame(binary of %d bytes, limit %d): a frame of exactly the limit passes; see readFrame in frame.go", limit, limit)
	assert.Len(t, f.payload, limit, "readFrame(binary of %d bytes, limit %d): payload", limit, limit)

	// Control frames have their own limit of 125 bytes: a ping in the middle
	// of a message that has almost reached the limit is fine.
	f, err = readFrame(bytes.NewReader(clientFrame(0x89, true, key, []byte("ping"))), 0)
	require.NoError(t, err, "readFrame(ping of 4 bytes, limit 0): the limit is for data frames only; see readFrame in frame.go")
	assert.Equal(t, opPing, f.op)
}

func TestWriteFrame(t *testing.T) {
	payload := func(n int) []byte { return bytes.Repeat([]byte{0xAB}, n) }
	for _, tc := range []struct {
		name string
		f    frame
		head []byte
	}{
		{"text Hi", frame{true, opText, []byte("Hi")}, []byte{0x81, 0x02}},
		{"empty binary", frame{true, opBinary, nil}, []byte{0x82, 0x00}},
		{"binary of 125 bytes", frame{true, opBinary, payload(125)}, []byte{0x82, 125}},
		{"binary of 126 bytes", frame{true, opBinary, payload(126)}, []byte{0x82, 126, 0x00, 0x7E}},
		{"binary of 65535 bytes", frame{true, opBinary, payload(65535)}, []byte{0x82, 126, 0xFF, 0xFF}},
		{"binary of 65536 bytes", frame{true, opBinary, payload(65536)}, []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
		{"pong", frame{true, opPong, []byte("p")}, []byte{0x8A, 0x01}},
		{"close 1001", frame{true, opClose, []byte{0x03, 0xE9}}, []byte{0x88, 0x02}},
	} {
		var buf bytes.Buffer
		err := writeFrame(&buf, tc.f)
		require.NoError(t, err, "writeFrame(%s): error; see writeFrame in frame.go", tc.name)
		want := append(append([]byte{}, tc.head...), tc.f.payload...)
		if !bytes.Equal(want, buf.Bytes()) {
			require.Failf(t, "wrong bytes", "writeFrame(%s) wrote %s, want %s (unmasked, shortest length); see writeFrame in frame.go",
				tc.name, hexHead(buf.Bytes()), hexHead(want))
		}
	}

	// A frame the writer did not take whole is an error, also when nothing
	// follows the header that failed (a pong or a close with no body).
	for _, tc := range []struct {
		name string
		f    frame
		room int
	}{
		{"empty pong", frame{true, opPong, nil}, 1},
		{"close with no body", frame{true, opClose, nil}, 0},
		{"text Hi", frame{true, opText, []byte("Hi")}, 2},
		{"binary of 126 bytes", frame{true, opBinary, payload(126)}, 3},
	} {
		err := writeFrame(&fullWriter{tc.room}, tc.f)
		require.ErrorIs(t, err, errFull, "writeFrame(%s) to a writer with room for %d bytes: error = %v, want the writer's error %q: the frame was not sent whole; see writeFrame in frame.go: is the error of every Write returned?", tc.name, tc.room, err, errFull)
	}
}

// fullWriter takes room bytes, then fails, as a connection does whose peer
// has gone.
type fullWriter struct{ room int }

var errFull = errors.New("no room left")

func (w *fullWriter) Write(p []byte) (int, error) {
	if len(p) > w.room {
		n := w.room
		w.room = 0
		return n, errFull
	}
	w.room -= len(p)
	return len(p), nil
}

func FuzzReadFrame(f *testing.F) {
	const limit = 1000
	f.Add(byte(0x81), true, uint32(0x37fa213d), []byte("Hello"), uint16(0))
	f.Add(byte(0x82), true, uint32(1), bytes.Repeat([]byte{7}, 300), uint16(0))
	f.Add(byte(0x01), true, uint32(2), []byte("frag"), uint16(0))
	f.Add(byte(0x80), true, uint32(3), []byte("ment"), uint16(0))
	f.Add(byte(0x89), true, uint32(4), []byte("ping"), uint16(0))
	f.Add(byte(0x8A), true, uint32(5), []byte{}, uint16(0))
	f.Add(byte(0x88), true, uint32(6), []byte{0x03, 0xE8}, uint16(0))
	f.Add(byte(0x81), false, uint32(0), []byte("unmasked"), uint16(0))
	f.Add(byte(0xC1), true, uint32(7), []byte("rsv1"), uint16(0))
	f.Add(byte(0x83), true, uint32(8), []byte("op3"), uint16(0))
	f.Add(byte(0x09), true, uint32(9), []byte("frag ping"), uint16(0))
	f.Add(byte(0x89), true, uint32(10), make([]byte, 126), uint16(0))
	f.Add(byte(0x82), true, uint32(11), make([]byte, limit+1), uint16(0))
	f.Add(byte(0x81), true, uint32(12), []byte("cut short"), uint16(9))
	f.Add(byte(0x82), true, uint32(13), make([]byte, 200), uint16(3))
	f.Fuzz(func(t *testing.T, first byte, masked bool, maskKey uint32, payload []byte, cut uint16) {
		var key [4]byte
		binary.BigEndian.PutUint32(key[:], maskKey)
		raw := clientFrame(first, masked, key, payload)
		cutShort := cut > 0 && int(cut) < len(raw)
		if cutShort {
			raw = raw[:cut]
		}
		got, err := readFrame(bytes.NewReader(raw), limit)
		where := fmt.Sprintf("readFrame(%s, limit %d)", hexHead(raw), limit)

		// What the rules of RFC 6455 section 5 say about the whole frame.
		op := opcode(first & 0x0F)
		fin := first&0x80 != 0
		var protocol []string
		if first&0x70 != 0 {
			protocol = append(protocol, "RSV bits set")
		}
		switch op {
		case opContinuation, opText, opBinary, opClose, opPing, opPong:
		default:
			protocol = append(protocol, "unknown opcode")
		}
		if !masked {
			protocol = append(protocol, "not masked")
		}
		if op.isControl() && (!fin || len(payload) > 125) {
			protocol = append(protocol, "control frame fragmented or over 125 bytes")
		}
		tooBig := !op.isControl() && len(payload) > limit

		var ce *closeError
		var codes []uint16
		if len(protocol) > 0 {
			codes = append(codes, closeProtocolError)
		}
		if tooBig {
			codes = append(codes, closeMessageTooBig)
		}
		switch {
		case len(codes) == 0 && !cutShort:
			require.NoError(t, err, "%s: error %q for a valid frame; see readFrame in frame.go", where, err)
			require.Equal(t, fin, got.fin, "%s: fin; see readFrame in frame.go", where)
			require.True(t, op == got.op, "%s: opcode = %s, want %s; see readFrame in frame.go", where, got.op, op)
			require.True(t, bytes.Equal(payload, got.payload), "%s: payload %s, want %s; see readFrame in frame.go", where, hexHead(got.payload), hexHead(payload))
		case len(codes) == 0: // a valid frame cut short
			require.True(t, errors.Is(err, io.ErrUnexpectedEOF), "%s: error = %v, want io.ErrUnexpectedEOF for a frame cut short; see readFrame in frame.go", where, err)
		case cutShort && errors.Is(err, io.ErrUnexpectedEOF):
			// The frame ended before the broken part was reached: fine.
		default:
			require.ErrorAs(t, err, &ce, "%s: error = %v, want a *closeError with code %s (%v); see readFrame in frame.go", where, err, codeList(codes), protocol)
			require.Contains(t, codes, ce.code, "%s: close code = %d, want %s (%v); see readFrame in frame.go", where, ce.code, codeList(codes), protocol)
		}
	})
}
