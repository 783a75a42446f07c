package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"wscourse/tools/internal/wsframe"
)

// Event is one thing that happened on a case's connection: bytes sent or
// received (as one write or one read), or a note from the case.
type Event struct {
	AtMS float64 `json:"at_ms"` // since the case began
	// Dir is "sent" (client to server), "recv" (server to client) or "note".
	Dir string `json:"dir"`
	// Len is how many bytes went by; Hex shows the first hexShown of those
	// after the handshake, HTTP the handshake's text.
	Len    int      `json:"len,omitempty"`
	HTTP   string   `json:"http,omitempty"`
	Hex    string   `json:"hex,omitempty"`
	Frames []string `json:"frames,omitempty"` // the frames whose last byte went by here
	Note   string   `json:"note,omitempty"`
}

// What a transcript keeps: the first eventsHead events and the last
// eventsTail, so that a case of thousands of messages costs little.
const (
	hexShown   = 48
	eventsHead = 250
	eventsTail = 50
)

// recorder wraps a case's connection and keeps a transcript of the bytes
// both ways, decoding the frames in them as they pass.
type recorder struct {
	nc      net.Conn
	start   time.Time
	head    []Event
	tail    []Event // a ring once head is full
	next    int     // where the ring writes next
	dropped int
	dirs    [2]stream // sent, received
}

// stream is one direction of the connection: the HTTP handshake, then frames.
type stream struct {
	frames bool   // past the handshake's blank line
	plain  bool   // the handshake was refused: all of it is HTTP
	head   []byte // the handshake's first bytes, for its status line
	last   []byte // the last bytes of the handshake, to find "\r\n\r\n" across reads
	dec    wsframe.Decoder
	broken bool // dec gave up; its error is noted once
}

func newRecorder(nc net.Conn) *recorder {
	r := &recorder{nc: nc, start: time.Now()}
	r.dirs[0].dec.FromClient = true
	return r
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.nc.Read(p)
	if n > 0 {
		r.bytes(1, p[:n])
	}
	if err != nil && !isTimeout(err) {
		r.note("read: %s", describe(err))
	}
	return n, err
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.nc.Write(p)
	if n > 0 {
		r.bytes(0, p[:n])
	}
	if err != nil {
		r.note("write: %s (%d of %d bytes written)", describe(err), n, len(p))
	}
	return n, err
}

// bytes records p going by in direction d (0 sent, 1 received).
func (r *recorder) bytes(d int, p []byte) {
	e := Event{Dir: [2]string{"sent", "recv"}[d], Len: len(p)}
	s := &r.dirs[d]
	if !s.frames {
		all := append(s.last, p...)
		if len(s.head) < 12 {
			s.head = append(s.head, p[:min(len(p), 12-len(s.head))]...)
		}
		end := len(p)
		if i := bytes.Index(all, []byte("\r\n\r\n")); i >= 0 && !s.plain {
			end = i + 4 - len(s.last)
			s.frames = true
			// Only a 101 is followed by frames; any other answer's body is HTTP.
			if d == 1 && !bytes.HasPrefix(s.head, []byte("HTTP/1.1 101")) {
				s.frames, s.plain, end = false, true, len(p)
			}
		}
		e.HTTP = string(p[:end])
		s.last = all[max(0, len(all)-3):]
		p = p[end:]
	}
	if len(p) > 0 {
		e.Hex = fmt.Sprintf("% x", p[:min(len(p), hexShown)])
		if len(p) > hexShown {
			e.Hex += fmt.Sprintf(" ... (%d more)", len(p)-hexShown)
		}
		if !s.broken {
			if err := s.dec.Feed(p, func(f wsframe.Frame) { e.Frames = append(e.Frames, f.String()) }); err != nil {
				s.broken = true
				e.Frames = append(e.Frames, err.Error()+"; the rest of this direction is not decoded")
			}
		}
	}
	r.add(e)
}

// note records a line of the case's own.
func (r *recorder) note(format string, a ...any) {
	r.add(Event{Dir: "note", Note: fmt.Sprintf(format, a...)})
}

func (r *recorder) add(e Event) {
	e.AtMS = float64(time.Since(r.start).Microseconds()) / 1000
	if len(r.head) < eventsHead {
		r.head = append(r.head, e)
		return
	}
	if len(r.tail) < eventsTail {
		r.tail = append(r.tail, e)
		return
	}
	r.tail[r.next] = e
	r.next = (r.next + 1) % eventsTail
	r.dropped++
}

// events is the transcript: the head, a note of what was left out, the tail.
func (r *recorder) events() []Event {
	out := append([]Event(nil), r.head...)
	if r.dropped > 0 {
		out = append(out, Event{Dir: "note", Note: fmt.Sprintf("... %d events left out ...", r.dropped)})
	}
	out = append(out, r.tail[r.next:]...)
	return append(out, r.tail[:r.next]...)
}

// FormatTranscript writes events one a line, each with its time, direction,
// size and bytes, and the frames they complete indented beneath.
func FormatTranscript(events []Event) string {
	var b strings.Builder
	for _, e := range events {
		at := fmt.Sprintf("%9.1fms", e.AtMS)
		if e.Dir == "note" {
			fmt.Fprintf(&b, "%s  ----  %s\n", at, e.Note)
			continue
		}
		arrow := "C->S"
		if e.Dir == "recv" {
			arrow = "S->C"
		}
		fmt.Fprintf(&b, "%s  %s  %d B", at, arrow, e.Len)
		if e.Hex != "" {
			fmt.Fprintf(&b, "  %s", e.Hex)
		}
		b.WriteString("\n")
		for line := range strings.SplitSeq(strings.TrimRight(e.HTTP, "\r\n"), "\r\n") {
			if line != "" {
				fmt.Fprintf(&b, "%19s| %s\n", "", line)
			}
		}
		for _, f := range e.Frames {
			fmt.Fprintf(&b, "%19s= %s\n", "", f)
		}
	}
	return b.String()
}

// isTimeout reports whether err is a deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
