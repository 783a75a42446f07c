package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Sizes are the byte counts the predictions are made of, measured once on
// one real request, so that a prediction is arithmetic, not a guess.
type Sizes struct {
	Request  int // a poll's request line and browser headers
	Headers  int // how many headers the request carries, Host included
	Response int // a poll answer's status line and headers
	Envelope int // {"epoch":E,"updates":[...],"next":N} and its newline, less the updates
	Update   int // one update's JSON
	SSE      int // what an event adds around an update: id: and data: lines, the blank line, chunk framing
	WS       int // what a message adds: the frame header, 2 bytes under 126 of payload
	Segment  int // IP and TCP header bytes of each TCP segment; 0 when unknown
}

// MeasureSizes sends one poll with the browser's headers through a counted
// connection and takes it apart.
func MeasureSizes(ctx context.Context, addr string) (Sizes, error) {
	var s Sizes
	all, err := pollAll(ctx, addr)
	last := all.Next
	if err != nil || last == 0 {
		return s, fmt.Errorf("asking for the latest update: %v (seq %d)", err, last)
	}
	var c counters
	hc := newClient(&c)
	defer hc.CloseIdleConnections()
	// The request the page sends, since and epoch from the answer before.
	all.Next = last - 1
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+all.next("/poll"), nil)
	if err != nil {
		return s, err
	}
	req.Header = BrowserHeaders(addr)
	resp, err := hc.Do(req)
	if err != nil {
		return s, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return s, err
	}
	var a struct {
		Updates []json.RawMessage `json:"updates"`
	}
	if err := json.Unmarshal(body, &a); err != nil || len(a.Updates) == 0 {
		return s, fmt.Errorf("GET %s: %q: want at least one update (%v)", all.next("/poll"), body, err)
	}
	s.Request = int(c.up.Load())
	s.Headers = len(req.Header) + 1
	s.Response = int(c.down.Load()) - len(body)
	s.Update = len(a.Updates[0])
	s.Envelope = len(body) - (len(a.Updates) - 1) // the commas
	for _, u := range a.Updates {
		s.Envelope -= len(u)
	}
	seq := len(strconv.FormatUint(last, 10))
	event := len("id: \ndata: \n\n") + seq + s.Update
	s.SSE = event - s.Update + len(strconv.FormatInt(int64(event), 16)) + len("\r\n\r\n")
	s.WS = 2
	if _, header, ok := c.segments(); ok {
		s.Segment = header
	}
	return s, nil
}

// Prediction is what first principles say a mode costs per update.
type Prediction struct {
	PerSecond, Fraction float64
	P50, P99            float64 // seconds; -1: no figure from first principles
	Up, Down, Requests  float64
	Segments            float64 // TCP segments both ways
	Wire                float64 // Up, Down and each segment's headers; -1 when unknown
}

// Predict works out a mode's figures from the sizes, the update rate (per
// second), the number of clients, and for the push transports' latency the
// measured CPU per update (server and clients, which share the machine) and
// the machine's cores. README.md derives each line.
func Predict(m Mode, s Sizes, rate float64, clients, cores int, cpuPerUpdate float64) Prediction {
	p := Prediction{PerSecond: rate * float64(clients), Fraction: 1}
	// Push: an update wakes every client's handler at once, and every
	// client; on cores CPUs the median client waits for half of the
	// fan-out's work, the last for all of it.
	fanout := float64(clients) * cpuPerUpdate / float64(cores)
	p.P50, p.P99 = fanout/2, fanout
	if cpuPerUpdate < 0 {
		p.P50, p.P99 = -1, -1
	}
	switch m.Kind {
	// Segments: every request and every answer fits one (a loopback segment
	// holds 64 kB, an Ethernet one 1448 bytes). A receiver ACKs what it got
	// within 40 ms unless it has data to send back by then (delayed ACK);
	// updates come 100 ms apart, so most ACKs go alone.
	case "poll":
		k := rate * m.Interval.Seconds() // updates per poll, on average
		// The request, the answer (carrying the request's ACK, sent at
		// once), and the answer's ACK, alone: the next poll is far off.
		p.Segments = 3 / k
		p.Requests = 1 / k
		p.Up = float64(s.Request) / k
		p.Down = float64(s.Response+s.Envelope)/k + float64(s.Update) + 1 // a comma between updates
		// An update waits for the next poll: uniform over the interval.
		p.P50, p.P99 = 0.5*m.Interval.Seconds(), 0.99*m.Interval.Seconds()
	case "longpoll":
		// The answer; the next request at once, carrying its ACK; and
		// the server's ACK of that request, alone, as it holds it until
		// the next update.
		p.Segments = 3
		p.Requests = 1
		p.Up = float64(s.Request)
		p.Down = float64(s.Response + s.Envelope + s.Update)
	case "sse":
		p.Segments = 2 // the event, and its ACK
		p.Down = float64(s.Update + s.SSE)
	case "ws":
		p.Segments = 2 // the message, and its ACK
		p.Down = float64(s.Update + s.WS)
	}
	p.Wire = p.Up + p.Down + p.Segments*float64(s.Segment)
	if s.Segment == 0 {
		p.Segments, p.Wire = -1, -1
	}
	return p
}
