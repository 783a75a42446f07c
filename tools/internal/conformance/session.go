package conformance

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"syscall"
	"time"

	"wscourse/tools/internal/wsframe"
)

// session is one case's connection after the handshake, with the verdict
// the case has earned so far.
type session struct {
	rec       *recorder
	br        *bufio.Reader
	deadline  time.Time     // the case's time is up
	quietFor  time.Duration // how long "nothing came" is waited for
	verdict   Verdict
	why       []string
	sentClose bool  // the client has sent a close frame
	writeErr  error // the first write that failed
	rate      *Throughput
}

// errStop ends a case that has failed; its reason is already in s.why.
var errStop = errors.New("case failed")

// failf marks the case failed and returns errStop, for the case to return.
func (s *session) failf(format string, a ...any) error {
	s.mark(Fail, fmt.Sprintf(format, a...))
	return errStop
}

// nonStrictf marks the case non-strict and lets it go on.
func (s *session) nonStrictf(format string, a ...any) {
	s.mark(NonStrict, fmt.Sprintf(format, a...))
}

func (s *session) mark(v Verdict, why string) {
	s.verdict = max(s.verdict, v)
	s.why = append(s.why, why)
	s.rec.note("%s: %s", v, why)
}

// send writes the frames in one write.
func (s *session) send(frames ...frame) {
	var b []byte
	for _, f := range frames {
		b = append(b, f.bytes()...)
	}
	s.write(b)
}

// write writes b in one write. A failed write is kept rather than returned:
// a server that closes while the client writes has usually sent its close
// frame already, and reading it is what the case judges.
func (s *session) write(b []byte) {
	if s.writeErr != nil {
		return
	}
	_ = s.rec.nc.SetWriteDeadline(s.deadline)
	if _, err := s.rec.Write(b); err != nil {
		s.writeErr = err
	}
}

// writeChunks writes each chunk in a write of its own with a pause between,
// so that the server's reads see them apart.
func (s *session) writeChunks(chunks [][]byte, pause time.Duration) {
	for i, c := range chunks {
		if i > 0 && pause > 0 {
			time.Sleep(pause)
		}
		s.write(c)
	}
}

// next reads the next frame from the server, answering its pings on the way
// (a keepalive may come at any time) and failing on any frame RFC 6455 does
// not allow a server to send.
func (s *session) next() (received, error) {
	for {
		_ = s.rec.nc.SetReadDeadline(s.deadline)
		f, err := readFrame(s.br)
		if err != nil {
			return f, err
		}
		if p := f.problem(); p != "" {
			return f, s.failf("%s", p)
		}
		if f.op == opPing && !s.sentClose {
			s.send(pong(f.payload))
			continue
		}
		return f, nil
	}
}

// quiet waits up to s.quietFor and reports whether nothing arrived from the
// server: no byte and no end of the connection.
func (s *session) quiet() bool {
	if s.br.Buffered() > 0 {
		return false
	}
	_ = s.rec.nc.SetReadDeadline(minTime(time.Now().Add(s.quietFor), s.deadline))
	_, err := s.br.Peek(1)
	return err != nil && isTimeout(err)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// message reads the next message from the server, joining its fragments.
// what says what was expected, for the verdict when something else comes.
func (s *session) message(what string) (op byte, payload []byte, err error) {
	started := false
	for {
		f, err := s.next()
		if errors.Is(err, errStop) {
			return 0, nil, err
		}
		if err != nil {
			return 0, nil, s.failf("wanted %s, but %s%s", what, describe(err), s.writeNote())
		}
		switch f.op {
		case opClose:
			return 0, nil, s.failf("wanted %s, got %s", what, f)
		case opPong:
			return 0, nil, s.failf("wanted %s, got an unsolicited pong of %d bytes", what, len(f.payload))
		case opCont:
			if !started {
				return 0, nil, s.failf("the server sent a continuation frame with no message to continue")
			}
			payload = append(payload, f.payload...)
		default:
			if started {
				return 0, nil, s.failf("the server began a new %s message inside a fragmented one", opName(f.op))
			}
			started, op, payload = true, f.op, append(payload, f.payload...)
		}
		if f.fin {
			return op, payload, nil
		}
	}
}

// writeNote mentions a failed write in a verdict.
func (s *session) writeNote() string {
	if s.writeErr == nil {
		return ""
	}
	return " (writing had failed: " + describe(s.writeErr) + ")"
}

// echo expects the message op with payload back, byte for byte.
func (s *session) echo(op byte, payload []byte) error {
	what := fmt.Sprintf("the echo of a %d-byte %s message", len(payload), opName(op))
	gotOp, got, err := s.message(what)
	if err != nil {
		return err
	}
	if gotOp != op {
		return s.failf("wanted %s, got a %s message", what, opName(gotOp))
	}
	if !bytes.Equal(got, payload) {
		return s.failf("wanted %s, got %d bytes that differ%s", what, len(got), firstDiff(got, payload))
	}
	return nil
}

// firstDiff says where got first differs from want.
func firstDiff(got, want []byte) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf(" from byte %d (0x%02x, want 0x%02x)", i, got[i], want[i])
		}
	}
	return ""
}

// pong expects a pong carrying payload.
func (s *session) pong(payload []byte) error {
	what := fmt.Sprintf("a pong with the ping's %d bytes", len(payload))
	f, err := s.next()
	switch {
	case errors.Is(err, errStop):
		return err
	case err != nil:
		return s.failf("wanted %s, but %s%s", what, describe(err), s.writeNote())
	case f.op != opPong:
		return s.failf("wanted %s, got %s", what, f)
	case !bytes.Equal(f.payload, payload):
		return s.failf("wanted %s, got a pong of %d bytes that differ%s", what, len(f.payload), firstDiff(f.payload, payload))
	}
	return nil
}

// closing says what close a case expects from the server.
type closing struct {
	codes []uint16 // codes that pass
	lax   []uint16 // codes the RFC allows but that are not the best answer
	// answer says the close answers the client's own: a close frame is then
	// required (RFC 6455 section 5.5.1), and an empty one is non-strict
	// unless empty says it passes.
	answer bool
	empty  bool
	// tcp says the case is about the server closing TCP after the close
	// exchange: not doing it fails rather than being non-strict.
	tcp bool
	// midFrame says the client is in the middle of a frame the server
	// refused, where a close frame cannot go: it shuts its side of TCP
	// instead of answering.
	midFrame bool
	// why names the rule the close enforces, for verdicts.
	why string
}

// failWith is the close that fails the connection for a protocol error.
func failWith(code uint16, why string) closing {
	c := closing{codes: []uint16{code}, why: why}
	if code == 1007 {
		c.lax = []uint16{1002} // RFC 6455 section 8.1 only says "fail"
	}
	return c
}

// answerTo is the answer to the client's close frame with code: the same
// code passes, any other valid one is non-strict (section 5.5.1 says an
// endpoint "typically echos" the code).
func answerTo(code uint16) closing {
	return closing{codes: []uint16{code}, answer: true, why: fmt.Sprintf("answer close %d", code)}
}

// closed expects the server's close frame as c says, answers it and expects
// the server to close TCP.
func (s *session) closed(c closing) error {
	f, err := s.next()
	switch {
	case err == nil && f.op != opClose:
		return s.failf("wanted the server to %s, got %s first", c.why, f)
	case errors.Is(err, errStop):
		return err
	case err != nil && isTimeout(err):
		return s.failf("wanted the server to %s, but nothing came in time", c.why)
	case err != nil && c.answer:
		return s.failf("wanted the server to %s with a close frame (RFC 6455 section 5.5.1 MUST), but %s", c.why, describe(err))
	case err != nil:
		s.nonStrictf("wanted the server to %s with a close frame, but %s: allowed (section 7.1.7 says SHOULD send one), not preferred", c.why, describe(err))
		return nil
	}
	code, _, hasCode := f.close()
	switch {
	case !hasCode && c.empty:
	case !hasCode && c.answer:
		s.nonStrictf("wanted the server to %s, got a close frame with no status code: allowed, but echoing the code is usual (section 5.5.1)", c.why)
	case !hasCode:
		s.nonStrictf("wanted the server to %s, got a close frame with no status code", c.why)
	case slices.Contains(c.codes, code):
	case slices.Contains(c.lax, code):
		s.nonStrictf("wanted the server to %s, got close %d: allowed, not the best code", c.why, code)
	case c.answer && wsframe.ValidCloseCode(code):
		s.nonStrictf("wanted the server to %s, got close %d: allowed, but echoing the code is usual (section 5.5.1)", c.why, code)
	default:
		return s.failf("wanted the server to %s, got %s", c.why, f)
	}
	switch {
	case c.midFrame:
		if cw, ok := s.rec.nc.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
			s.rec.note("the client shuts its side of TCP: it is in the middle of a frame, where no close frame can go")
		}
	case !s.sentClose:
		// Echo the server's code, as section 5.5.1 suggests.
		body := []byte{}
		if hasCode {
			body = closeBody(code, "")
		}
		s.send(closeF(body))
		s.sentClose = true
	}
	return s.tcpClosed(c.tcp)
}

// tcpClosed expects the server to close TCP after the close exchange
// (RFC 6455 section 7.1.1: the server SHOULD close first).
func (s *session) tcpClosed(required bool) error {
	f, err := s.next()
	switch {
	case errors.Is(err, errStop):
		return err
	case err == nil:
		return s.failf("the server sent %s after the close frames were exchanged", f)
	case isTimeout(err) && required:
		return s.failf("the server kept TCP open after the close exchange (RFC 6455 section 7.1.1: the server closes it first)")
	case isTimeout(err):
		s.nonStrictf("the server kept TCP open after the close exchange: section 7.1.1 says it SHOULD close first")
	case errors.Is(err, io.EOF):
	case errors.Is(err, syscall.ECONNRESET):
		// A reset after the close frames went by loses nothing here.
	default:
		s.rec.note("after the close exchange: %s", describe(err))
	}
	return nil
}

// bye closes the connection normally: close 1000 from the client, the same
// from the server, then the server closes TCP.
func (s *session) bye() error {
	s.send(closeF(closeBody(1000, "")))
	s.sentClose = true
	return s.closed(answerTo(1000))
}
