package conformance

import (
	"bytes"
	"fmt"
	"time"
)

func fragmentCases(b *builder) {
	const joined = "reassemble the fragments and echo one message with the same type and bytes (RFC 6455 section 5.4)"
	valid := []struct {
		sends  string
		op     byte
		pieces [][]byte
	}{
		{"a text message in 2 fragments", opText, [][]byte{[]byte("Hello, "), []byte("fragments")}},
		{"a binary message in 2 fragments", opBinary, [][]byte{noise(20), noise(30)}},
		{"a text message in 3 fragments, the middle one empty", opText, [][]byte{[]byte("empty "), nil, []byte("middle")}},
		{"a text message in 3 empty fragments", opText, [][]byte{nil, nil, nil}},
		{"a text message whose first fragment is empty", opText, [][]byte{nil, []byte("after an empty first")}},
		{"a text message in 100 fragments of 1 byte", opText, chunks(pattern(100), 1)},
		{"a binary message in 100 fragments of 1 byte", opBinary, chunks(noise(100), 1)},
		{"a binary message of 64 KiB in 2 fragments of 32 KiB", opBinary, chunks(noise(65536), 32768)},
	}
	b.start(5, 1)
	for _, v := range valid {
		fs := fragments(v.op, v.pieces...)
		want := bytes.Join(v.pieces, nil)
		b.add(v.sends+", in one write", joined, func(s *session) error {
			s.send(fs...)
			if err := s.echo(v.op, want); err != nil {
				return err
			}
			return s.bye()
		})
	}
	b.add("a text message in 5 fragments, each in a write of its own 5 ms apart", joined, func(s *session) error {
		fs := fragments(opText, chunks(pattern(50), 10)...)
		var parts [][]byte
		for _, f := range fs {
			parts = append(parts, f.bytes())
		}
		s.writeChunks(parts, 5*time.Millisecond)
		if err := s.echo(opText, pattern(50)); err != nil {
			return err
		}
		return s.bye()
	})

	b.start(5, 2)
	const between = "answer each ping between the fragments with its pong, then echo the whole message (section 5.4: control frames MAY come between fragments)"
	b.add("a text message in 3 fragments with a ping after each of the first two", between, func(s *session) error {
		fs := fragments(opText, []byte("one "), []byte("two "), []byte("three"))
		s.send(fs[0], ping([]byte("p1")), fs[1], ping([]byte("p2")), fs[2])
		for _, p := range []string{"p1", "p2"} {
			if err := s.pong([]byte(p)); err != nil {
				return err
			}
		}
		if err := s.echo(opText, []byte("one two three")); err != nil {
			return err
		}
		return s.bye()
	})
	b.add("a binary message in 2 fragments, a ping between them, each in a write of its own 5 ms apart", between, func(s *session) error {
		fs := fragments(opBinary, noise(10), noise(5))
		s.writeChunks([][]byte{fs[0].bytes(), ping([]byte("between")).bytes(), fs[1].bytes()}, 5*time.Millisecond)
		if err := s.pong([]byte("between")); err != nil {
			return err
		}
		if err := s.echo(opBinary, append(noise(10), noise(5)...)); err != nil {
			return err
		}
		return s.bye()
	})
	b.add("a text message in 2 fragments with an unsolicited pong between them",
		"ignore the pong and echo the whole message (sections 5.4, 5.5.3)", func(s *session) error {
			fs := fragments(opText, []byte("pong "), []byte("between"))
			s.send(fs[0], pong([]byte("unsolicited")), fs[1])
			if err := s.echo(opText, []byte("pong between")); err != nil {
				return err
			}
			return s.bye()
		})

	b.start(5, 3)
	const seq = "close with 1002: fragments of one message come in order with no other data frame between (section 5.4)"
	bad := []struct {
		sends  string
		frames []frame
		echo   []byte // a message the server must echo before failing
	}{
		{"a continuation frame with FIN set and no message to continue", []frame{cont([]byte("orphan"))}, nil},
		{"a continuation frame with FIN clear and no message to continue", []frame{cont([]byte("orphan")).notFin()}, nil},
		{"a whole text message, then a continuation frame", []frame{text("whole"), cont([]byte("orphan"))}, []byte("whole")},
		{"the first fragment of a text message, then a new text frame", []frame{text("first").notFin(), text("second")}, nil},
		{"the first fragment of a text message, then a new binary frame", []frame{text("first").notFin(), binaryF(noise(4))}, nil},
		{"the first fragment of a binary message, then a new text frame with FIN clear", []frame{binaryF(noise(4)).notFin(), text("second").notFin(), cont([]byte("end"))}, nil},
	}
	for _, c := range bad {
		b.add(c.sends, seq, func(s *session) error {
			s.send(c.frames...)
			if c.echo != nil {
				if err := s.echo(opText, c.echo); err != nil {
					return err
				}
			}
			return s.closed(failWith(1002, "close with 1002 for frames out of sequence"))
		})
	}
	const control = "close with 1002: control frames MUST NOT be fragmented (section 5.5)"
	for _, c := range []struct {
		sends  string
		frames []frame
	}{
		{"a ping with FIN clear, then a continuation", []frame{ping([]byte("frag")).notFin(), cont([]byte("mented"))}},
		{"a ping with FIN clear alone", []frame{ping([]byte("fragment")).notFin()}},
		{"a pong with FIN clear, then a continuation", []frame{pong([]byte("frag")).notFin(), cont([]byte("mented"))}},
		{"a close 1000 with FIN clear, then a continuation", []frame{closeF(closeBody(1000, "")).notFin(), cont([]byte("mented"))}},
	} {
		b.add(c.sends, control, func(s *session) error {
			s.send(c.frames...)
			return s.closed(failWith(1002, "close with 1002 for a fragmented control frame"))
		})
	}

	b.start(5, 4)
	b.add("the first fragment of a text message, then close 1000",
		"answer the close with 1000 and echo nothing of the unfinished message (sections 5.4, 5.5.1)", func(s *session) error {
			s.send(text("never finished").notFin(), closeF(closeBody(1000, "")))
			s.sentClose = true
			return s.closed(answerTo(1000))
		})
	b.add(fmt.Sprintf("a text message of %s in fragments of 1, 2, 3, ... bytes", size(1000)), joined, func(s *session) error {
		p := pattern(1000)
		var pieces [][]byte
		for n, rest := 1, p; len(rest) > 0; n++ {
			k := min(n, len(rest))
			pieces, rest = append(pieces, rest[:k]), rest[k:]
		}
		s.send(fragments(opText, pieces...)...)
		if err := s.echo(opText, p); err != nil {
			return err
		}
		return s.bye()
	})
}
