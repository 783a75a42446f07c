package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTokenBucket: the bucket holds messageBurst tokens, gains messageRate a
// second, and every allowed message takes one. The time is given, so no
// test waits for it.
func TestTokenBucket(t *testing.T) {
	checkNoLeaks(t)
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b := newTokenBucket(messageRate, messageBurst, t0)
	allowed := func(at time.Time, n int) int {
		k := 0
		for range n {
			if b.allow(at) {
				k++
			}
		}
		return k
	}
	n := allowed(t0, 25)
	require.Equalf(t, 20, n, "a new bucket, 25 messages at once: got %d allowed; want the burst, 20 (look at ratelimit.go)", n)
	assert.Equalf(t, 1, allowed(t0.Add(100*time.Millisecond), 3), "100ms later, 3 messages: want 1 allowed, the token gained at 10 a second (look at ratelimit.go: allow)")
	assert.Equalf(t, 0, allowed(t0.Add(150*time.Millisecond), 1), "150ms after the start, having used the token of the first 100ms: want 0 allowed, half a token is not one (look at ratelimit.go: allow)")
	assert.Equalf(t, 5, allowed(t0.Add(650*time.Millisecond), 10), "650ms after the start: want 5 allowed, the tokens gained since (look at ratelimit.go: allow)")
	assert.Equalf(t, 20, allowed(t0.Add(time.Hour), 30), "an hour of quiet, then 30 messages: want 20 allowed, the bucket holds no more than the burst (look at ratelimit.go: allow)")
	assert.Equalf(t, 0, allowed(t0.Add(time.Hour-time.Second), 1), "a time before the last one (clocks may step back): want no tokens gained (look at ratelimit.go: allow)")
	t1 := t0.Add(2 * time.Hour)
	allowed(t1, 20) // empty
	steady := 0
	for i := range 100 { // 10 seconds at 10 a second
		steady += allowed(t1.Add(time.Duration(i+1)*100*time.Millisecond), 1)
	}
	assert.Equalf(t, 100, steady, "an empty bucket, then one message every 100ms: got %d of 100 allowed; want all, that is the rate (look at ratelimit.go: allow)", steady)
}

// TestRateLimit: more than 10 messages a second on average, bursts of 20,
// get one error each; every message counts, refused or not; the connection
// stays open.
func TestRateLimit(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)
	const where = "ratelimit.go, and client.go: readPump takes a token for every message it reads"

	// burst sends msgs at once and sorts the n answers; tokens may refill
	// while it waits, so it also says how many more could have passed.
	burst := func(c *wsClient, msgs []string) (passed, limited, other int, refill int) {
		t.Helper()
		start := time.Now()
		for _, m := range msgs {
			c.conn.SetWriteDeadline(time.Now().Add(readTimeout))
			require.NoError(t, c.conn.WriteMessage(websocket.TextMessage, []byte(m)))
		}
		for range msgs {
			e, ok := c.next(readTimeout)
			require.Truef(t, ok, "%s: sent %d messages at once; got %d answers, then nothing within %v; want one for each: the message, or an error (look at %s)", c.name, len(msgs), passed+limited+other, readTimeout, where)
			require.Falsef(t, e.end(), "%s: sent %d messages at once; got %s; want the connection to stay open (look at %s)", c.name, len(msgs), e, where)
			switch {
			case e.m.Type == "message":
				passed++
			case e.m.Type == "error" && strings.Contains(strings.ToLower(e.m.Error), "too many"):
				limited++
			default:
				other++
			}
		}
		return passed, limited, other, int(time.Since(start).Seconds() * messageRate)
	}

	// The burst itself: 20 at once all pass.
	dan, _ := join(t, ts, "dan", "burst")
	var msgs []string
	for range messageBurst {
		msgs = append(msgs, `{"type":"message","text":"burst"}`)
	}
	passed, limited, other, _ := burst(dan, msgs)
	assert.Equalf(t, 20, passed, "20 messages at once, the burst: %d passed, %d refused with \"too many\", %d other answers; want all 20 to pass (look at %s)", passed, limited, other, where)

	ann, _ := join(t, ts, "ann", "flood")
	bob, _ := join(t, ts, "bob", "flood")
	ann.expect("join", "bob joining", chatFiles)
	msgs = nil
	for range 25 {
		msgs = append(msgs, `{"type":"message","text":"flood"}`)
	}
	passed, limited, _, refill := burst(bob, msgs)
	assert.GreaterOrEqualf(t, passed, 20, "25 messages at once: %d passed; want the burst of 20 to pass (look at %s)", passed, where)
	assert.LessOrEqualf(t, passed, 20+refill, "25 messages at once: %d passed, %d answered with an error saying \"too many\"; want 20 to pass and 5 refused (look at %s)", passed, limited, where)
	assert.Equalf(t, 25, passed+limited, "25 messages at once: %d passed, %d refused with \"too many\"; want an answer to each (look at %s)", passed, limited, where)
	for range passed {
		ann.expect("message", "the flood's messages that passed, and only those", where)
	}
	ann.say("after the flood")
	m := ann.expect("message", "ann's own message after bob's flood", where)
	require.Equalf(t, "after the flood", m.Text, "ann got %s; want \"after the flood\": only the %d messages of bob that passed reach the room (look at %s)", short(m.raw), passed, where)

	// Refused messages count too: 20 empty ones use up the burst.
	cy, _ := join(t, ts, "cy", "flood2")
	msgs = nil
	for range 20 {
		msgs = append(msgs, `{"type":"message","text":""}`)
	}
	for range 3 {
		msgs = append(msgs, `{"type":"message","text":"valid"}`)
	}
	passed, limited, other, refill = burst(cy, msgs)
	assert.Equalf(t, 20, other, "20 empty messages, then 3 valid ones: %d answered with another error; want 20, one for each empty message (look at %s)", other, where)
	assert.LessOrEqualf(t, passed, refill, "20 empty messages, then 3 valid ones at once: %d of the valid ones passed; want none: every message received counts against the limit, refused or not (look at %s)", passed, where)
	assert.Equalf(t, 3, passed+limited, "20 empty messages, then 3 valid ones: want the valid ones refused with \"too many\" (look at %s)", where)
}
