// Package syncbuf is a buffer that one goroutine writes (a command's output,
// a proxy's trace) while a test waits for what it should say.
package syncbuf

import (
	"bytes"
	"sync"
	"time"
)

// Buffer is safe to write and read at once. Make it with New.
type Buffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // holds a token after each write
}

// New returns an empty Buffer.
func New() *Buffer { return &Buffer{written: make(chan struct{}, 1)} }

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.written <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitUntil waits until ok holds of what was written, looking again after
// each write, for at most d. It reports whether ok held.
func (b *Buffer) WaitUntil(d time.Duration, ok func(written string) bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for !ok(b.String()) {
		select {
		case <-b.written:
		case <-deadline.C:
			return ok(b.String())
		}
	}
	return true
}
