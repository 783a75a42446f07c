package conformance

import "fmt"

// framingSizes cross the boundaries of the three length forms (RFC 6455
// section 5.2): 7 bits up to 125, 16 bits up to 65535, 64 bits above.
var framingSizes = []int{0, 125, 126, 127, 128, 65535, 65536}

// lengthForm names the length encoding a payload of n bytes takes.
func lengthForm(n int) string {
	switch {
	case n < 126:
		return "7-bit length"
	case n < 1<<16:
		return "16-bit length"
	}
	return "64-bit length"
}

func framingCases(b *builder) {
	const echo = "echo the message with the same type and bytes, then answer close 1000 (RFC 6455 sections 5.2, 5.6)"
	for g, kind := range []struct {
		op      byte
		payload func(int) []byte
	}{{opText, pattern}, {opBinary, noise}} {
		b.start(1, g+1)
		for _, n := range framingSizes {
			f := frame{op: kind.op, payload: kind.payload(n)}
			b.add(fmt.Sprintf("a %s message of %d bytes in one frame (%s)", opName(kind.op), n, lengthForm(n)), echo,
				func(s *session) error {
					s.send(f)
					if err := s.echo(f.op, f.payload); err != nil {
						return err
					}
					return s.bye()
				})
		}
	}

	b.start(1, 3)
	const unmasked = "close with 1002: a server MUST close the connection on a frame that is not masked (section 5.1)"
	for _, f := range []frame{
		{op: opText, payload: []byte("not masked"), unmasked: true},
		{op: opBinary, payload: noise(20), unmasked: true},
		{op: opPing, payload: []byte("not masked"), unmasked: true},
	} {
		b.add(fmt.Sprintf("an unmasked %s frame", opName(f.op)), unmasked, func(s *session) error {
			s.send(f)
			return s.closed(failWith(1002, "close with 1002 for an unmasked frame"))
		})
	}
	b.add("a text frame whose 64-bit length has its most significant bit set, then 16 bytes",
		"close with 1002: the most significant bit of a 64-bit length MUST be 0 (section 5.2); 1009 is allowed, not preferred",
		func(s *session) error {
			f := frame{op: opText, length: 1<<63 | 16}
			s.write(append(f.bytes(), pattern(16)...))
			c := failWith(1002, "close with 1002 for a length with its top bit set")
			c.lax = []uint16{1009}
			return s.closed(c)
		})
}
