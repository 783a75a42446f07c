package main

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// batchConn is the network connection under a gorilla Conn (this file is
// given). Gorilla writes every frame with a system call of its own; between
// hold and flush, batchConn keeps what gorilla writes and flush sends it all
// with one. A writer that finds several messages queued writes them in one
// batch: each is still a frame of its own, but a client ten messages behind
// costs one system call instead of ten. Outside a batch, writes go straight
// to the network, whichever goroutine makes them (gorilla's reader answers
// pings and close frames itself).
type batchConn struct {
	net.Conn
	mu       sync.Mutex
	holding  bool
	buf      *[]byte   // from batchBuffers while holding; nil otherwise
	deadline time.Time // the write deadline for flush, when set while holding
}

// batchBuffers lends the buffers of batches, so that an idle connection
// holds none.
var batchBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

// maxBatchBuffer is the largest buffer put back into batchBuffers.
const maxBatchBuffer = 64 << 10

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holding {
		*c.buf = append(*c.buf, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// SetWriteDeadline sets the deadline of the next write to the network:
// while holding, that of flush. (Gorilla sets it before every frame; setting
// it on the socket arms a timer, and once per batch is enough.)
func (c *batchConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.holding {
		c.deadline = t
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}

// hold keeps what is written from now on, until flush.
func (c *batchConn) hold() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding {
		c.holding = true
		c.buf = batchBuffers.Get().(*[]byte)
	}
}

// held is how many bytes wait for flush.
func (c *batchConn) held() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding {
		return 0
	}
	return len(*c.buf)
}

// flush writes what was held with one system call, under the write deadline
// gorilla set last, and stops holding.
func (c *batchConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding {
		return nil
	}
	c.holding = false
	var err error
	if !c.deadline.IsZero() {
		err = c.Conn.SetWriteDeadline(c.deadline)
		c.deadline = time.Time{}
	}
	if err == nil && len(*c.buf) > 0 {
		_, err = c.Conn.Write(*c.buf)
	}
	if cap(*c.buf) <= maxBatchBuffer {
		*c.buf = (*c.buf)[:0]
		batchBuffers.Put(c.buf)
	}
	c.buf = nil
	return err
}

// CloseWrite half-closes the TCP connection underneath (see hangUp).
func (c *batchConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

// batching hands gorilla's Upgrade a batchConn when it hijacks the
// connection.
type batching struct{ http.ResponseWriter }

func (w batching) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return &batchConn{Conn: conn}, brw, nil
}
