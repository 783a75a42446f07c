package main

import (
	"sync"
	"time"
)

// keep is how many of the latest updates the store holds for clients that
// come back with since: at 10 a second, the last 100 seconds.
const keep = 1000

// update is one price update, as every transport sends it.
type update struct {
	Epoch  string  `json:"epoch"`  // the server's run: seqs start again at 1 in each
	Seq    uint64  `json:"seq"`    // 1 for the first update, then one more each
	Symbol string  `json:"symbol"` // the stock quoted
	Price  float64 `json:"price"`
	Sent   int64   `json:"sent"` // when it was made, in Unix nanoseconds
}

// store keeps the last keep updates in a ring and tells waiters of the next.
//
// Waiting without spinning: news is a channel that publish closes, and
// replaces with a new one, every time. A waiter takes the current channel
// together with the updates it has seen, under the same lock, so no update
// can slip in between; then it waits on the channel, beside its own timeout,
// its client's context and shutdown. Nothing is registered per waiter, so a
// waiter that gives up leaves nothing behind, and a waiter costs nothing
// while it waits. (sync.Cond cannot wait beside a context or a timer.)
type store struct {
	epoch string // stamped on every update
	mu    sync.Mutex
	ring  []update      // the kept updates; seq s is at ring[(s-1)%keep]
	last  uint64        // seq of the latest update, 0 before the first
	news  chan struct{} // closed at the next publish
}

// newStore makes an empty store whose updates carry epoch: main.go gives it
// a new one at every start of the server.
func newStore(epoch string) *store {
	return &store{epoch: epoch, ring: make([]update, 0, keep), news: make(chan struct{})}
}

// publish stamps an update with the epoch and the next seq, keeps it in place of the
// oldest once keep are held, and wakes every waiter.
func (st *store) publish(symbol string, price float64, at time.Time) update {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.last++
	u := update{Epoch: st.epoch, Seq: st.last, Symbol: symbol, Price: price, Sent: at.UnixNano()}
	if len(st.ring) < keep {
		st.ring = append(st.ring, u)
	} else {
		st.ring[(u.Seq-1)%keep] = u
	}
	close(st.news)
	st.news = make(chan struct{})
	return u
}

// since returns the kept updates after seq n, oldest first (none when n is
// the latest or beyond), and a channel that is closed when the next update
// is published.
func (st *store) since(n uint64) ([]update, <-chan struct{}) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if n >= st.last {
		return nil, st.news
	}
	first := max(n+1, st.last-uint64(len(st.ring))+1) // older ones are gone
	out := make([]update, 0, st.last-first+1)
	for seq := first; seq <= st.last; seq++ {
		out = append(out, st.ring[(seq-1)%keep])
	}
	return out, st.news
}

// latest returns the seq of the latest update, 0 before the first.
func (st *store) latest() uint64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.last
}
