package syncbuf

import (
	"strings"
	"testing"
	"time"
)

func TestWaitUntil(t *testing.T) {
	b := New()
	go func() {
		for range 3 {
			b.Write([]byte("tick\n"))
		}
	}()
	if !b.WaitUntil(10*time.Second, func(s string) bool { return strings.Count(s, "tick") == 3 }) {
		t.Fatalf("three writes of tick: WaitUntil gave up; buffer %q", b.String())
	}
	if b.WaitUntil(50*time.Millisecond, func(s string) bool { return strings.Contains(s, "tock") }) {
		t.Fatalf("nothing wrote tock, yet WaitUntil said it came; buffer %q", b.String())
	}
}
