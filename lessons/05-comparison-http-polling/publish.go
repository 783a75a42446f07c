package main

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// symbols are the made-up stocks the publisher quotes, in turn.
var symbols = []string{"GOPH", "CHAN", "MUTX", "CTXT"}

// publish makes s.rate updates a second into s.updates until ctx is done.
// Each quotes the next symbol at a price that wanders a little from its last,
// rounded to cents, and carries the time it was made: a client on the same
// machine subtracts it from its own clock to get the delivery latency.
func (s *server) publish(ctx context.Context) {
	prices := make([]float64, len(symbols))
	for i := range prices {
		prices[i] = 100 + 10*float64(i)
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / s.rate))
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		k := i % len(symbols)
		prices[k] = math.Max(1, math.Round(prices[k]*(1+rand.NormFloat64()*0.002)*100)/100)
		s.updates.publish(symbols[k], prices[k], time.Now())
	}
}
