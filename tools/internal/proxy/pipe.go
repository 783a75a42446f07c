package proxy

import (
	"bytes"
	"time"
)

// A read takes at most maxRead bytes from a socket. Its buffer starts at
// minRead, grows while reads fill it and shrinks when one does not use a
// quarter of it, so that an idle connection holds little while waiting.
const (
	minRead = 2 << 10
	maxRead = 32 << 10
)

// queueLen is how many reads may wait for their latency to pass.
const queueLen = 256

// chunk is what one read returned, and when.
type chunk struct {
	data []byte
	at   time.Time
	err  error // the end of the stream: the read's error
}

// pipe carries one direction of a connection: a reader takes bytes from the
// source as they come and a writer sends each on once its latency has
// passed, at the capped rate, so that latency delays bytes without slowing
// them down.
type pipe struct {
	c     *conn
	d     direction
	queue chan chunk
	shown window // the last stall said to have started
}

func newPipe(c *conn, d direction) *pipe {
	return &pipe{c: c, d: d, queue: make(chan chunk, queueLen)}
}

// run carries the bytes until the stream ends or the connection closes.
// Both of its goroutines have returned when it does: the writer stops only
// after the reader's last chunk or once both sockets are closed, which ends
// any read.
func (p *pipe) run() {
	read := make(chan struct{})
	go func() {
		defer close(read)
		p.read()
	}()
	p.write()
	<-read
}

// read reads the source into the queue until the stream ends. A stall
// holds reading from the server back, and bytes a read in progress brings
// in during one wait for its end: none cross while it lasts.
func (p *pipe) read() {
	src, _ := p.c.ends(p.d)
	buf := make([]byte, minRead)
	for {
		if !p.waitStall() {
			return
		}
		n, err := src.Read(buf)
		if !p.waitStall() {
			return
		}
		// The queue gets a copy of what was read, not the buffer.
		if n > 0 && !p.put(chunk{data: bytes.Clone(buf[:n]), at: time.Now()}) {
			return
		}
		switch {
		case n == len(buf) && len(buf) < maxRead:
			buf = make([]byte, 2*len(buf))
		case n < len(buf)/4 && len(buf) > minRead:
			buf = make([]byte, len(buf)/2)
		}
		if err != nil {
			p.put(chunk{err: err, at: time.Now()})
			return
		}
	}
}

// put queues ch; it returns false when the connection ended meanwhile.
func (p *pipe) put(ch chunk) bool {
	select {
	case p.queue <- ch:
		return true
	case <-p.c.closed:
		return false
	}
}

// waitStall waits out a stall of reading from the server; it returns false
// when the connection ended meanwhile.
func (p *pipe) waitStall() bool {
	if p.d != down {
		return true
	}
	wait, w := p.c.stallWait(time.Now())
	if wait == 0 {
		return true
	}
	if w != p.shown {
		p.shown = w
		p.c.say(p.d.String(), "stalled: not reading from the server for %v", w.until.Sub(w.from).Round(time.Millisecond))
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		p.c.say(p.d.String(), "reading from the server again")
		return true
	case <-p.c.closed:
		return false
	}
}

// write sends each queued chunk on when its time comes.
func (p *pipe) write() {
	_, dst := p.c.ends(p.d)
	lim := &limiter{rate: p.c.p.faults.rate[p.d]}
	for {
		var ch chunk
		select {
		case ch = <-p.queue:
		case <-p.c.closed:
			return
		}
		if !p.sleep(time.Until(ch.at.Add(p.c.p.faults.delay(p.d)))) {
			return
		}
		if ch.err != nil {
			p.c.endOf(p.d, ch.err)
			return
		}
		for data := ch.data; len(data) > 0; {
			n := len(data)
			if lim.rate > 0 {
				n = min(n, lim.slice())
			}
			if !p.sleep(lim.wait(time.Now(), n)) {
				return
			}
			p.c.observe(p.d, data[:n])
			if _, err := dst.Write(data[:n]); err != nil {
				p.c.writeFailed(p.d, err)
				return
			}
			data = data[n:]
		}
	}
}

// sleep waits d; it returns false when the connection ended meanwhile.
func (p *pipe) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-p.c.closed:
		return false
	}
}
