package proxy

import (
	"fmt"
	"strings"
	"time"

	"wscourse/tools/internal/english"
	"wscourse/tools/internal/wsframe"
)

// mode is how a side's bytes are decoded.
type mode int

const (
	modeHTTP   mode = iota // requests, or responses
	modeHold               // a client's bytes after an upgrade request, until the answer says what they are
	modeFrames             // WebSocket frames, after a 101
	modeOff                // given up: the bytes pass undecoded
)

// maxHeld is how many bytes a client may send after an upgrade request
// before its answer; a client waits for the 101, so any is unusual.
const maxHeld = 64 << 10

// side is the decoding of one direction of a connection.
type side struct {
	d      direction
	mode   mode
	http   httpParser
	frames wsframe.Decoder
	held   []byte
	msg    message // the HTTP message in progress
}

// message is an HTTP message being traced.
type message struct {
	head    head
	request string // for a response: the method of the request it answers
	shown   bool   // its line is printed already (a body that streams)
	upgrade bool   // an upgrade request, or the answer to one: headers shown
}

// request is what a response must know of the request it answers.
type request struct {
	method  string
	upgrade bool
}

// monitor decodes both directions of one connection and prints what it
// finds. It is guarded by its conn's mutex.
type monitor struct {
	c       *conn
	sides   [2]*side
	pending []request // requests not yet answered, oldest first
}

func newMonitor(c *conn) *monitor {
	m := &monitor{c: c}
	for _, d := range []direction{up, down} {
		m.sides[d] = &side{d: d, frames: wsframe.Decoder{FromClient: d == up}}
	}
	return m
}

// feed decodes bytes about to cross in direction d.
func (m *monitor) feed(d direction, b []byte) {
	s := m.sides[d]
	for len(b) > 0 {
		switch s.mode {
		case modeOff:
			return
		case modeHold:
			s.held = append(s.held, b...)
			if len(s.held) > maxHeld {
				m.giveUp(s, fmt.Sprintf("over %d B sent after an upgrade request, before its answer", maxHeld))
			}
			return
		case modeFrames:
			err := s.frames.Feed(b, func(f wsframe.Frame) { m.c.say(d.String(), "%s", f) })
			if err != nil {
				m.giveUp(s, err.Error())
			}
			return
		}
		n, ev, err := s.http.next(b)
		b = b[n:]
		if err != nil {
			m.giveUp(s, "cannot decode: "+err.Error())
			return
		}
		if err := m.handle(s, ev); err != nil {
			m.giveUp(s, "cannot decode: "+err.Error())
			return
		}
	}
}

// giveUp says once why a side is no longer decoded; its bytes pass on.
func (m *monitor) giveUp(s *side, why string) {
	s.mode, s.held = modeOff, nil
	m.c.say(s.d.String(), "%s; passing the bytes on undecoded", why)
}

// handle acts on an event of the HTTP parser.
func (m *monitor) handle(s *side, ev event) error {
	switch ev {
	case evHead:
		return m.gotHead(s)
	case evChunk:
		if s.msg.shown {
			p := s.http
			m.c.say(s.d.String(), "  chunk %d B  %s", p.chunkLen, wsframe.Preview(wsframe.OpText, p.chunkData, uint64(p.chunkLen)))
		}
	case evEnd:
		m.ended(s)
	}
	return nil
}

// gotHead starts a message.
func (m *monitor) gotHead(s *side) error {
	response := s.d == down
	h, err := parseHead(s.http.head, response)
	if err != nil {
		return err
	}
	s.msg = message{head: h}
	if !response {
		s.msg.upgrade = h.get("Upgrade") != ""
		m.pending = append(m.pending, request{h.method, s.msg.upgrade})
	} else if h.status >= 200 || h.status == 101 {
		if len(m.pending) > 0 {
			s.msg.request, s.msg.upgrade = m.pending[0].method, m.pending[0].upgrade
			m.pending = m.pending[1:]
		}
	}
	if response && h.status == 101 {
		m.show(s, "")
		m.switchToFrames(strings.Contains(strings.ToLower(h.get("Sec-WebSocket-Extensions")), "permessage-deflate"))
		return nil
	}
	kind, length, err := h.bodyOf(response, s.msg.request)
	if err != nil {
		return err
	}
	s.http.body(kind, length)
	switch {
	case kind == bodyNone:
		m.ended(s)
	case kind == bodyUntilClose:
		m.show(s, "  body until the connection closes")
		s.msg.shown = true
	case kind == bodyChunked && response && h.has("Content-Type", "text/event-stream"):
		m.show(s, "  body chunked, streaming")
		s.msg.shown = true
	}
	return nil
}

// ended ends the message of s, printing its line unless it streamed.
func (m *monitor) ended(s *side) {
	if s.msg.shown {
		m.c.say(s.d.String(), "  end of body: %d B in %s", s.http.bodyBytes, english.Count(s.http.chunks, "chunk"))
	} else {
		body := ""
		if s.http.bodyBytes > 0 {
			body = fmt.Sprintf("  body %d B", s.http.bodyBytes)
			if s.http.chunks > 0 {
				body += fmt.Sprintf(" (%s)", english.Count(s.http.chunks, "chunk"))
			}
		}
		m.show(s, body)
	}
	switch {
	case s.d == up && s.msg.upgrade:
		s.mode = modeHold // until the answer says whether frames follow
	case s.d == down && s.msg.upgrade:
		// Refused: what the client held back is HTTP after all.
		if client := m.sides[up]; client.mode == modeHold {
			held := client.held
			client.mode, client.held = modeHTTP, nil
			m.feed(up, held)
		}
	}
}

// show prints the message's head line, with its headers where they matter.
func (m *monitor) show(s *side, more string) {
	h := s.msg.head
	var details []string
	if s.msg.upgrade || m.c.p.cfg.AllHeaders {
		details = h.lines()
	}
	m.c.p.out.line(m.c.id, time.Since(m.c.start), s.d.String(), fmt.Sprintf("%s  head %d B%s", h.first, h.size, more), details...)
}

// switchToFrames decodes both directions as WebSocket frames from here on,
// starting with what the client sent after its request; deflate says the
// handshake agreed on compression.
func (m *monitor) switchToFrames(deflate bool) {
	m.sides[up].frames.Deflate = deflate
	m.sides[down].frames.Deflate = deflate
	m.sides[down].mode = modeFrames
	client := m.sides[up]
	held := client.held
	if client.mode == modeOff {
		return
	}
	client.mode, client.held = modeFrames, nil
	m.feed(up, held)
}

// endOfStream notes that d's stream has ended with a FIN: a body that ran
// until the close is complete.
func (m *monitor) endOfStream(d direction) {
	s := m.sides[d]
	if s.mode == modeHTTP && s.http.state == hUntilClose {
		m.ended(s)
		s.http.state = hHead
	}
}

// partial describes what d's stream ended in the middle of, as a clause to
// add to the line that says so, or "".
func (m *monitor) partial(d direction) string {
	s := m.sides[d]
	var what string
	switch s.mode {
	case modeHTTP:
		what = s.http.midMessage()
	case modeFrames:
		what = s.frames.Partial()
	}
	if what == "" {
		return ""
	}
	return "; " + what
}
