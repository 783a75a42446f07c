package conformance

import (
	"bytes"
	"fmt"
)

func pingCases(b *builder) {
	const answer = "answer with a pong carrying the same payload (RFC 6455 section 5.5.2: MUST), then answer close 1000"
	b.start(2, 1)
	for _, p := range [][]byte{nil, pattern(1), pattern(10), pattern(64), pattern(124), pattern(125), noise(125)} {
		kind := "text"
		if len(p) > 0 && !bytes.Equal(p, pattern(len(p))) {
			kind = "binary"
		}
		b.add(fmt.Sprintf("a ping with a %d-byte %s payload", len(p), kind), answer, func(s *session) error {
			s.send(ping(p))
			if err := s.pong(p); err != nil {
				return err
			}
			return s.bye()
		})
	}

	b.start(2, 2)
	const tooLong = "close with 1002: control frames carry at most 125 bytes (section 5.5)"
	for _, f := range []frame{ping(pattern(126)), ping(noise(65535)), pong(pattern(126))} {
		b.add(fmt.Sprintf("a %s of %d bytes", opName(f.op), len(f.payload)), tooLong, func(s *session) error {
			s.send(f)
			return s.closed(failWith(1002, fmt.Sprintf("close with 1002 for a %d-byte %s", len(f.payload), opName(f.op))))
		})
	}

	b.start(2, 3)
	const ignored = "ignore an unsolicited pong (section 5.5.3: a response is not expected) and echo the message after it"
	for _, n := range []int{0, 125} {
		b.add(fmt.Sprintf("an unsolicited pong of %d bytes, then a text message", n), ignored, func(s *session) error {
			s.send(pong(pattern(n)), text("after the pong"))
			if err := s.echo(opText, []byte("after the pong")); err != nil {
				return err
			}
			return s.bye()
		})
	}
	b.add("10 unsolicited pongs in one write, then a text message", ignored, func(s *session) error {
		var fs []frame
		for i := range 10 {
			fs = append(fs, pong(fmt.Appendf(nil, "pong %d", i)))
		}
		s.send(append(fs, text("after the pongs"))...)
		if err := s.echo(opText, []byte("after the pongs")); err != nil {
			return err
		}
		return s.bye()
	})

	b.start(2, 4)
	b.add("10 pings one after another, each after the last one's pong",
		"answer each ping with its own pong, in order (section 5.5.2)", func(s *session) error {
			for i := range 10 {
				p := fmt.Appendf(nil, "ping %d", i)
				s.send(ping(p))
				if err := s.pong(p); err != nil {
					return err
				}
			}
			return s.bye()
		})
	b.add("10 pings in one write",
		"answer every ping with a pong, in order (section 5.5.2: MUST respond to each)", func(s *session) error {
			var fs []frame
			for i := range 10 {
				fs = append(fs, ping(fmt.Appendf(nil, "ping %d", i)))
			}
			s.send(fs...)
			for _, f := range fs {
				if err := s.pong(f.payload); err != nil {
					return err
				}
			}
			return s.bye()
		})
	b.add("the first fragment of a text message, a ping, the last fragment",
		"answer the ping between the fragments, then echo the whole message (section 5.4: control frames MAY be injected in the middle of a fragmented message)",
		func(s *session) error {
			fs := fragments(opText, []byte("frag"), []byte("ments"))
			s.send(fs[0], ping([]byte("between")), fs[1])
			if err := s.pong([]byte("between")); err != nil {
				return err
			}
			if err := s.echo(opText, []byte("fragments")); err != nil {
				return err
			}
			return s.bye()
		})
	b.add("a text message and a ping in one write",
		"echo the message, then answer the ping, in the order they came", func(s *session) error {
			s.send(text("first"), ping([]byte("second")))
			if err := s.echo(opText, []byte("first")); err != nil {
				return err
			}
			if err := s.pong([]byte("second")); err != nil {
				return err
			}
			return s.bye()
		})
}
