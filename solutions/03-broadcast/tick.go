package main

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"time"
)

// tickSymbol is the made-up stock the ticker quotes.
const tickSymbol = "GOPH"

// tickMessage is the JSON of a tick, as COURSE.md gives it.
type tickMessage struct {
	Type   string  `json:"type"` // always "tick"
	Seq    uint64  `json:"seq"`  // 1 for the first tick since the server started
	Symbol string  `json:"symbol"`
	Price  float64 `json:"price"` // in cents: two decimals at most
	Time   string  `json:"time"`  // RFC 3339 with nanoseconds
}

// publishTicks publishes a price tick through the hub every s.tick until ctx
// is done. (main.go starts it only when -tick is positive.)
func (s *server) publishTicks(ctx context.Context) {
	t := time.NewTicker(s.tick)
	defer t.Stop()
	price := 100.0
	for seq := uint64(1); ; seq++ {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			price = nextPrice(price)
			data, err := json.Marshal(tickMessage{
				Type: "tick", Seq: seq, Symbol: tickSymbol, Price: price,
				Time: now.UTC().Format(time.RFC3339Nano),
			})
			if err != nil {
				panic(err) // strings and numbers always marshal
			}
			s.hub.publish(data)
		}
	}
}

// nextPrice moves price by up to half a percent either way, in whole cents,
// never below one cent.
func nextPrice(price float64) float64 {
	p := price * (1 + (rand.Float64()-0.5)/100)
	return max(math.Round(p*100)/100, 0.01)
}
