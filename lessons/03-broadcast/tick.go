package main

import "context"

// tickSymbol is the made-up stock the ticker quotes.
const tickSymbol = "GOPH"

// publishTicks publishes a price tick through the hub every s.tick until ctx
// is done. (main.go starts it only when -tick is positive.)
//
// TODO: TestTicks. Every s.tick, publish one text message of JSON:
// {"type":"tick","seq":N,"symbol":"GOPH","price":123.45,"time":"..."}, where N
// counts the ticks from 1, price moves from tick to tick by at most half a
// percent and has at most two decimals, and time is when the tick was made, in
// RFC 3339 with nanoseconds.
// Return when ctx is done.
func (s *server) publishTicks(ctx context.Context) {
	<-ctx.Done()
}
