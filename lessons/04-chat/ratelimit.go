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
//
// TODO: TestTokenBucket. A new bucket is full. allow first adds the tokens
// gained since the last call (never more than burst, none when the time went
// back), then takes one if there is one.
//
// TODO: TestRateLimit. Give each connection a bucket in client.go, and take a
// token for every message read, valid or not.
type tokenBucket struct{}

// newTokenBucket returns a full bucket.
func newTokenBucket(rate float64, burst int, now time.Time) *tokenBucket {
	return &tokenBucket{}
}

// allow reports whether a message that came at now may pass, and takes a
// token for it if so.
func (b *tokenBucket) allow(now time.Time) bool {
	return true
}
