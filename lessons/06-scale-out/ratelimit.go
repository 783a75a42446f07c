package main

import "time"

// Each connection may send messageRate messages a second on average, and up
// to messageBurst at once: a person typing never meets the limit, a script
// flooding a room does.
const (
	messageRate  = 10
	messageBurst = 20
)

// tokenBucket is a rate limiter: it holds up to burst tokens, gains rate
// tokens a second, and each message takes one. It is used by one goroutine
// and takes the time from its caller, so that tests need no clock.
type tokenBucket struct {
	rate   float64 // tokens gained a second
	burst  float64 // the most it holds
	tokens float64
	last   time.Time // when tokens was last brought up to date
}

// newTokenBucket returns a full bucket.
func newTokenBucket(rate float64, burst int, now time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// allow reports whether a message that came at now may pass, and takes a
// token for it if so.
func (b *tokenBucket) allow(now time.Time) bool {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
