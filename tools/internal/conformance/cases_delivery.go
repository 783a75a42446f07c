package conformance

import (
	"fmt"
	"time"
)

// pause separates the writes of a frame delivered in pieces, long enough
// for the server's reads to see them apart.
const pause = time.Millisecond

// cutAt splits b at the given offsets, in increasing order.
func cutAt(b []byte, at ...int) [][]byte {
	var out [][]byte
	last := 0
	for _, a := range at {
		out, last = append(out, b[last:a]), a
	}
	return append(out, b[last:])
}

func deliveryCases(b *builder) {
	const whole = "read the frame whatever TCP's pieces, and echo the message (RFC 6455 section 5: a frame is a byte stream, not a packet)"
	short := text("Hello, delivery!") // a 7-bit length: header 2 bytes, mask 4
	mid := textB(pattern(200))        // a 16-bit length: header 4, mask 4
	long := binaryF(noise(Limit))     // a 64-bit length: header 10, mask 4
	b.start(10, 1)
	for _, v := range []struct {
		sends string
		f     frame
		at    []int
	}{
		{"a 16-byte text frame cut after its first byte", short, []int{1}},
		{"a 16-byte text frame cut between the length and the mask", short, []int{2}},
		{"a 16-byte text frame cut inside the mask", short, []int{4}},
		{"a 16-byte text frame cut between the mask and the payload", short, []int{6}},
		{"a 200-byte text frame cut inside its 16-bit length", mid, []int{3}},
		{"a 200-byte text frame cut after each header byte", mid, []int{1, 2, 3, 4, 5, 6, 7, 8}},
		{"a 64 KiB binary frame cut inside its 64-bit length", long, []int{5}},
		{"a 64 KiB binary frame cut between the length and the mask", long, []int{10}},
		{"a 64 KiB binary frame cut after each header byte, then the payload in one write", long, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}},
	} {
		b.add(v.sends, whole, func(s *session) error {
			s.writeChunks(cutAt(v.f.bytes(), v.at...), pause)
			if err := s.echo(v.f.op, v.f.payload); err != nil {
				return err
			}
			return s.bye()
		})
	}

	b.start(10, 2)
	for _, v := range []struct {
		sends string
		f     frame
		cut   func(wire []byte) [][]byte
	}{
		{"a 16-byte text frame one byte a write", short, func(w []byte) [][]byte { return chunks(w, 1) }},
		{"a 200-byte text frame one byte a write", mid, func(w []byte) [][]byte { return chunks(w, 1) }},
		{"a 64 KiB binary frame in writes of 1000 bytes", long, func(w []byte) [][]byte { return chunks(w, 1000) }},
		{"a 64 KiB binary frame in writes of 7 bytes for its first 70, then the rest", long,
			func(w []byte) [][]byte { return append(chunks(w[:70], 7), w[70:]) }},
	} {
		b.add(v.sends, whole, func(s *session) error {
			s.writeChunks(v.cut(v.f.bytes()), pause)
			if err := s.echo(v.f.op, v.f.payload); err != nil {
				return err
			}
			return s.bye()
		})
	}

	b.start(10, 3)
	b.add("a ping one byte a write", "answer with a pong of the same payload (section 5.5.2)", func(s *session) error {
		s.writeChunks(chunks(ping([]byte("slowly")).bytes(), 1), pause)
		if err := s.pong([]byte("slowly")); err != nil {
			return err
		}
		return s.bye()
	})
	b.add("close 1000 one byte a write", "answer with close 1000 and close TCP (sections 5.5.1, 7.1.1)", func(s *session) error {
		s.writeChunks(chunks(closeF(closeBody(1000, "")).bytes(), 1), pause)
		s.sentClose = true
		return s.closed(answerTo(1000))
	})
	b.add("three messages (text, binary, text) in one write",
		"echo all three, in order (section 5: frames follow one another in the stream)", func(s *session) error {
			fs := []frame{text("one"), binaryF(noise(300)), text("three")}
			s.send(fs...)
			for _, f := range fs {
				if err := s.echo(f.op, f.payload); err != nil {
					return err
				}
			}
			return s.bye()
		})
	b.add("a fragmented text message and a ping, with every write boundary one byte into a frame's header",
		"answer the ping and echo the message (sections 5, 5.4)", func(s *session) error {
			fs := fragments(opText, []byte("split "), []byte("everywhere"))
			var wire []byte
			var at []int
			for _, f := range []frame{fs[0], ping([]byte("p")), fs[1]} {
				at = append(at, len(wire)+1)
				wire = append(wire, f.bytes()...)
			}
			s.writeChunks(cutAt(wire, at[1:]...), pause)
			if err := s.pong([]byte("p")); err != nil {
				return err
			}
			if err := s.echo(opText, []byte("split everywhere")); err != nil {
				return err
			}
			return s.bye()
		})
	b.add(fmt.Sprintf("%d text messages of 10 bytes in one write", 50),
		"echo all of them, in order", func(s *session) error {
			var fs []frame
			for i := range 50 {
				fs = append(fs, text(fmt.Sprintf("message%03d", i)))
			}
			s.send(fs...)
			for _, f := range fs {
				if err := s.echo(f.op, f.payload); err != nil {
					return err
				}
			}
			return s.bye()
		})
}
