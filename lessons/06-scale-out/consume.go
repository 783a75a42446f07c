package main

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// consume follows the room's subject and hands each message over on
// deliveries, one at a time, until ctx is done. stop stops following.
//
// TODO: TestChat. Follow the room's subject (r.subject) in the stream
// (r.b.stream) with an ordered consumer, from the first message the stream
// keeps, and hand each message, decoded, to run on deliveries; give up
// waiting on deliveries when ctx is done. Bound what the consumer fetches
// ahead (pullBatch).
//
// TODO: TestIdleRooms. stop must also remove the consumer from the server,
// where Stop leaves it for minutes; waiting at most stopWait, and not at
// all while NATS is away (r.b.nc.IsConnected()).
func (r *room) consume(ctx context.Context, deliveries chan<- message) (stop func(), err error) {
	return func() {}, nil
}

// decode turns a stream message into a chat message.
//
// TODO: TestChat. The id is the stream's sequence of the message, the same
// on every instance; "at" is the stream's time. The data is what post
// published (posted).
//
// TODO: TestHistory. A message that does not decode (published by hand)
// keeps its id, but has no type: run then counts it and sends it to nobody.
func (r *room) decode(m jetstream.Msg) (message, error) {
	return message{}, errors.New("decode is not written yet: see the TODOs in consume.go")
}
