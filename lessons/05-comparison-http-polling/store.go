package main

import "time"

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

// store keeps the last keep updates and tells waiters of the next. The
// publisher (publish.go) calls publish; every transport calls since.
//
// TODO: TestStore. Give store its fields: the epoch it was made with, the
// kept updates (at most keep of them, whatever the number published: a ring,
// or a slice whose old part is let go), the latest seq, a lock, and a way
// for a waiter to learn that the next update is out without looking again
// and again. Long-polls, event
// streams and WebSockets will all wait on it, beside a timeout, a client
// that goes away and the server's shutdown: what can a goroutine wait on in
// a select? README.md compares two ways.
type store struct{}

// newStore makes an empty store whose updates carry epoch: main.go gives it
// a new one at every start of the server.
func newStore(epoch string) *store {
	return &store{}
}

// publish stamps an update with the epoch and the next seq, keeps it in
// place of the oldest once keep are held, and wakes every waiter.
//
// TODO: TestStore. Seqs start at 1; Sent is at in Unix nanoseconds.
func (st *store) publish(symbol string, price float64, at time.Time) update {
	return update{}
}

// since returns the kept updates after seq n, oldest first (none when n is
// the latest or beyond), and a channel that is closed when the next update
// is published.
//
// TODO: TestStore. Take the updates and the channel under the same lock, so
// that no update can slip in between.
func (st *store) since(n uint64) ([]update, <-chan struct{}) {
	return nil, nil
}

// latest returns the seq of the latest update, 0 before the first.
//
// TODO: TestStore.
func (st *store) latest() uint64 {
	return 0
}
