package conformance

import (
	"fmt"
	"time"
)

// Limit is the largest message the course's echo servers take: 64 KiB,
// counted over the whole reassembled message.
const Limit = 64 << 10

// Throughput is what a throughput case measured: messages of Size bytes
// sent one at a time, each echo awaited before the next.
type Throughput struct {
	Size     int     `json:"size"`
	Messages int     `json:"messages"`
	Seconds  float64 `json:"seconds"`
	MBps     float64 `json:"mb_per_s"` // payload bytes echoed, 10^6 a second, one way
	PerSec   float64 `json:"messages_per_s"`
}

// throughputSizes are the sizes measured, and how many messages of each.
var throughputSizes = []struct{ size, count int }{
	{64, 2000}, {1 << 10, 1000}, {16 << 10, 200}, {64 << 10, 100},
}

func limitCases(b *builder) {
	const echo = "echo the message: the course's limit is 65536 bytes per message, and this one is at it"
	b.start(9, 1)
	for _, v := range []struct {
		sends  string
		op     byte
		pieces [][]byte
	}{
		{"a text message of 65536 bytes in one frame", opText, [][]byte{pattern(Limit)}},
		{"a binary message of 65536 bytes in one frame", opBinary, [][]byte{noise(Limit)}},
		{"a text message of 65536 bytes in 64 fragments of 1 KiB", opText, chunks(pattern(Limit), 1<<10)},
		{"a binary message of 65536 bytes in 16 fragments of 4 KiB", opBinary, chunks(noise(Limit), 4<<10)},
		{"a binary message of 65536 bytes in 256 fragments of 256 bytes", opBinary, chunks(noise(Limit), 256)},
	} {
		b.add(v.sends, echo, func(s *session) error {
			s.send(fragments(v.op, v.pieces...)...)
			if err := s.echo(v.op, joinPieces(v.pieces)); err != nil {
				return err
			}
			return s.bye()
		})
	}

	b.start(9, 2)
	const over = "close with 1009: the message is over the course's limit of 65536 bytes (RFC 6455 section 7.4.1: too big to process)"
	for _, v := range []struct {
		sends  string
		frames []frame
	}{
		{"a text message of 65537 bytes in one frame", []frame{textB(pattern(Limit + 1))}},
		{"a binary message of 65537 bytes in one frame", []frame{binaryF(noise(Limit + 1))}},
		{"a binary message of 65537 bytes in 64 fragments of 1 KiB and one of 1 byte", fragments(opBinary, chunks(noise(Limit+1), 1<<10)...)},
		{"a text message of 65537 bytes in fragments of 65536 and 1 bytes", fragments(opText, pattern(Limit), []byte("!"))},
	} {
		b.add(v.sends, over, func(s *session) error {
			s.send(v.frames...)
			return s.closed(failWith(1009, "close with 1009 for a message over the limit"))
		})
	}
	b.add("the header of a binary frame of 4 GiB and 1 KiB of it, then (if the server waits) 64 KiB more",
		"close with 1009, best from the header alone, before the payload it cannot take arrives; once past the limit at the latest",
		func(s *session) error {
			f := frame{op: opBinary, length: 4 << 30}
			s.write(append(f.bytes(), noise(1<<10)...))
			if s.quiet() {
				s.nonStrictf("the server did not refuse the frame within %v of its header: it waits for the payload to pass the limit", s.quietFor)
				s.write(noise(Limit))
			}
			c := failWith(1009, "close with 1009 for a frame over the limit")
			c.midFrame = true
			return s.closed(c)
		})

	b.start(9, 3)
	for _, op := range []byte{opBinary, opText} {
		for _, t := range throughputSizes {
			c := b.add(fmt.Sprintf("%d %s messages of %s, one at a time, each echo awaited", t.count, opName(op), size(t.size)),
				"echo every message (the case measures messages and megabytes a second)", func(s *session) error {
					return s.throughput(op, t.size, t.count)
				})
			c.long = 10
		}
	}
}

// joinPieces is the message the pieces make.
func joinPieces(pieces [][]byte) []byte {
	var out []byte
	for _, p := range pieces {
		out = append(out, p...)
	}
	return out
}

// throughput echoes count messages of size bytes one after another and
// records the rate; past half its time it stops early and says so.
func (s *session) throughput(op byte, size, count int) error {
	payload := pattern(size)
	if op == opBinary {
		payload = noise(size)
	}
	start := time.Now()
	stopAt := start.Add(time.Until(s.deadline) / 2)
	// One encoding for every message, so that the client's masking is not
	// what is measured.
	wire := frame{op: op, payload: payload}.bytes()
	done := 0
	for done < count {
		s.write(wire)
		if err := s.echo(op, payload); err != nil {
			return err
		}
		done++
		if time.Now().After(stopAt) {
			s.rec.note("stopped after %d of %d messages: half the case's time had passed", done, count)
			break
		}
	}
	secs := time.Since(start).Seconds()
	s.rate = &Throughput{
		Size: size, Messages: done, Seconds: secs,
		MBps:   float64(done*size) / secs / 1e6,
		PerSec: float64(done) / secs,
	}
	return s.bye()
}
