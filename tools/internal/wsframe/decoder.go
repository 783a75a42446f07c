package wsframe

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Decoder decodes the frames of one direction of a WebSocket connection from
// the bytes fed to it, in chunks of any size.
type Decoder struct {
	// FromClient says which way the frames go: a client must mask every
	// frame and a server must mask none (RFC 6455 section 5.1).
	FromClient bool
	// Deflate says permessage-deflate was agreed in the handshake (RFC
	// 7692): RSV1 then marks the first frame of a compressed message.
	Deflate bool

	head      [14]byte
	headLen   int  // bytes of head read so far
	inPayload bool // the head is complete: reading the payload
	frame     Frame
	read      uint64 // payload bytes read of the current frame
	inMessage bool   // a fragmented data message is open
	err       error
}

// Error is why a Decoder gave up: past a frame whose length or opcode
// cannot be trusted, the bytes that follow are no longer known to be frames.
type Error struct {
	Frame Frame // the frame it stopped at
	Why   string
}

func (e *Error) Error() string { return "cannot decode: " + e.Why }

// Feed decodes the bytes of p, calling emit with each frame whose last byte
// is in p. Once it returns an error it decodes nothing more and returns the
// same error on every call.
func (d *Decoder) Feed(p []byte, emit func(Frame)) error {
	for len(p) > 0 && d.err == nil {
		if !d.inPayload {
			p = d.feedHead(p)
			if !d.inPayload || d.err != nil {
				continue
			}
		}
		n := uint64(len(p))
		if left := d.frame.Length - d.read; n > left {
			n = left
		}
		d.keep(p[:n])
		d.read += n
		p = p[n:]
		if d.read == d.frame.Length {
			d.finish(emit)
		}
	}
	return d.err
}

// Err is the error that stopped the decoder, or nil.
func (d *Decoder) Err() error { return d.err }

// Partial describes a frame begun and not finished, for a connection that
// ends in the middle of one; it is "" between frames.
func (d *Decoder) Partial() string {
	switch {
	case d.err != nil:
		return ""
	case d.inPayload:
		return fmt.Sprintf("%s frame cut short: %d of %d payload bytes", d.frame.Op, d.read, d.frame.Length)
	case d.headLen > 0:
		return fmt.Sprintf("frame header cut short: %d of %d bytes", d.headLen, headSize(d.head[:d.headLen]))
	}
	return ""
}

// headSize is the size of the frame header that starts with b, as far as b
// tells it: 2 until the second byte is known.
func headSize(b []byte) int {
	if len(b) < 2 {
		return 2
	}
	n := 2
	switch b[1] & 0x7F {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b[1]&0x80 != 0 {
		n += 4
	}
	return n
}

// feedHead takes header bytes from p and returns the rest; once the header
// is complete it starts the frame.
func (d *Decoder) feedHead(p []byte) []byte {
	for len(p) > 0 {
		size := headSize(d.head[:d.headLen])
		n := copy(d.head[d.headLen:size], p)
		d.headLen += n
		p = p[n:]
		if d.headLen == headSize(d.head[:d.headLen]) {
			d.start()
			break
		}
	}
	return p
}

// start reads the complete header into d.frame and checks it.
func (d *Decoder) start() {
	h := d.head[:d.headLen]
	f := Frame{
		Fin:       h[0]&0x80 != 0,
		RSV:       h[0] >> 4 & 0x7,
		Op:        Opcode(h[0] & 0x0F),
		Masked:    h[1]&0x80 != 0,
		HeaderLen: len(h),
		Length:    uint64(h[1] & 0x7F),
	}
	rest := h[2:]
	switch f.Length {
	case 126:
		f.Length = uint64(binary.BigEndian.Uint16(rest))
		if f.Length < 126 {
			f.Problems = append(f.Problems, "16-bit length for under 126 bytes")
		}
		rest = rest[2:]
	case 127:
		f.Length = binary.BigEndian.Uint64(rest)
		if f.Length < 1<<16 && f.Length>>63 == 0 {
			f.Problems = append(f.Problems, "64-bit length for under 65536 bytes")
		}
		rest = rest[8:]
	}
	if f.Masked {
		copy(f.Key[:], rest)
	}
	d.frame, d.read, d.headLen, d.inPayload = f, 0, 0, true
	d.check()
}

// check notes what is wrong with the frame just started; it stops the
// decoder where what follows cannot be trusted to be frames.
func (d *Decoder) check() {
	f := &d.frame
	problem := func(s string) { f.Problems = append(f.Problems, s) }
	rsv := f.RSV
	if d.Deflate && rsv&4 != 0 {
		f.Compressed, rsv = true, rsv&^4
		if f.Op.IsControl() || f.Op == OpContinuation {
			problem("RSV1 (compressed) on a control frame or a continuation")
		}
	}
	if rsv != 0 {
		problem(rsvNames(rsv) + " set without an extension")
	}
	switch {
	case d.FromClient && !f.Masked:
		problem("client frame not masked")
	case !d.FromClient && f.Masked:
		problem("server frame masked")
	}
	if f.Length>>63 != 0 {
		d.err = &Error{*f, "the 64-bit length has its top bit set"}
		return
	}
	if !f.Op.known() {
		d.err = &Error{*f, fmt.Sprintf("unknown opcode 0x%X", byte(f.Op))}
		return
	}
	if f.Op.IsControl() {
		if !f.Fin {
			problem("control frame fragmented")
		}
		if f.Length > 125 {
			problem("control frame over 125 bytes")
		}
		return
	}
	switch {
	case f.Op == OpContinuation && !d.inMessage:
		problem("continuation with no message to continue")
	case f.Op != OpContinuation && d.inMessage:
		problem("new message inside a fragmented one")
	}
	d.inMessage = !f.Fin
}

// keep unmasks and keeps the payload bytes p, up to Kept of them.
func (d *Decoder) keep(p []byte) {
	f := &d.frame
	for i, c := range p {
		at := d.read + uint64(i)
		if at >= Kept {
			break
		}
		if f.Masked {
			c ^= f.Key[at%4]
		}
		f.Payload = append(f.Payload, c)
	}
}

// finish checks what only the whole payload shows and emits the frame.
func (d *Decoder) finish(emit func(Frame)) {
	f := d.frame
	if f.Payload == nil {
		f.Payload = []byte{}
	}
	if f.Op == OpClose && f.Length <= Kept {
		switch code, reason, ok := f.Close(); {
		case f.Length == 1:
			f.Problems = append(f.Problems, "close body of 1 byte")
		case ok && !ValidCloseCode(code):
			f.Problems = append(f.Problems, fmt.Sprintf("invalid close code %d", code))
		case ok && !utf8.ValidString(reason):
			f.Problems = append(f.Problems, "close reason not UTF-8")
		}
	}
	d.frame, d.inPayload = Frame{}, false
	emit(f)
}
