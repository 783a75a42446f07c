package proxy

import (
	"sync/atomic"
	"time"
)

// direction is which way bytes go.
type direction int

const (
	up   direction = iota // client to server
	down                  // server to client
)

func (d direction) String() string {
	if d == up {
		return "client→server"
	}
	return "server→client"
}

// from and to name the two ends of a direction.
func (d direction) from() string { return [...]string{"client", "server"}[d] }
func (d direction) to() string   { return [...]string{"server", "client"}[d] }

// Faults are the ways the proxy makes the network worse. The zero value is
// a perfect network.
type Faults struct {
	LatencyToServer, LatencyToClient time.Duration // added to every byte's trip, each way
	RateToServer, RateToClient       int64         // bytes per second at most, each way; 0 is no cap
	// Stall stops reading from the server for StallFor, StallAfter after
	// each connection opens: the client seems to fall behind.
	StallFor, StallAfter time.Duration
	// CutAfter resets each connection, both ways, this long after it
	// opened, as a network that drops it would.
	CutAfter time.Duration
}

// faults holds what can change while the proxy runs.
type faults struct {
	latency              [2]atomic.Int64 // time.Duration, by direction
	rate                 [2]int64
	stallFor, stallAfter time.Duration
	cutAfter             time.Duration
}

func (f *faults) init(c Faults) {
	f.latency[up].Store(int64(c.LatencyToServer))
	f.latency[down].Store(int64(c.LatencyToClient))
	f.rate = [2]int64{c.RateToServer, c.RateToClient}
	f.stallFor, f.stallAfter, f.cutAfter = c.StallFor, c.StallAfter, c.CutAfter
}

func (f *faults) delay(d direction) time.Duration { return time.Duration(f.latency[d].Load()) }

// limiter spaces writes so that they average at most rate bytes a second.
type limiter struct {
	rate int64
	next time.Time // when the link is free again
}

// slice is the most a limited write sends at once: a twentieth of a second's
// worth, so the rate holds over short spans too.
func (l *limiter) slice() int {
	return int(max(l.rate/20, 1))
}

// wait returns how long to wait before sending n bytes, and books them.
func (l *limiter) wait(now time.Time, n int) time.Duration {
	if l.rate <= 0 {
		return 0
	}
	start := l.next
	if start.Before(now) {
		start = now
	}
	l.next = start.Add(time.Duration(int64(n) * int64(time.Second) / l.rate))
	return start.Sub(now)
}
