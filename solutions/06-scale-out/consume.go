package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// consume follows the room's subject from the first message the stream
// keeps and hands each message over on deliveries, one at a time, until ctx
// is done. stop stops the consumer and removes it from the server.
func (r *room) consume(ctx context.Context, deliveries chan<- message) (stop func(), err error) {
	cons, err := r.b.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{r.subject}})
	if err != nil {
		return nil, err
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		msg, err := r.decode(m)
		if err != nil {
			// Not ours (someone published by hand?): decode leaves it
			// without a type, so that the room counts it but sends it to
			// nobody.
			r.logf("room %s: skipping a message: %v", r.name, err)
		}
		select {
		case deliveries <- msg:
		case <-ctx.Done():
		}
	}, jetstream.PullMaxMessages(pullBatch))
	if err != nil {
		return nil, err
	}
	return func() {
		cc.Stop()
		// Closed comes once the consumer has let go, at once while NATS is
		// up; with NATS gone it may not, and shutdown must not wait on it.
		if !r.b.nc.IsConnected() {
			return
		}
		t := time.NewTimer(stopWait)
		defer t.Stop()
		select {
		case <-cc.Closed():
		case <-t.C:
		}
		// Stop leaves the consumer on the server until it has been idle
		// for its InactiveThreshold, five minutes: every room an instance
		// lets go would hold one of the server's consumers that long.
		if info := cons.CachedInfo(); info != nil {
			dctx, dcancel := context.WithTimeout(context.Background(), stopWait)
			defer dcancel()
			r.b.stream.DeleteConsumer(dctx, info.Name)
		}
	}, nil
}

// decode turns a stream message into a chat message: its id is the
// stream's sequence number, its time the stream's.
func (r *room) decode(m jetstream.Msg) (message, error) {
	meta, err := m.Metadata()
	if err != nil {
		return message{}, err
	}
	var p posted
	if err := json.Unmarshal(m.Data(), &p); err != nil {
		return message{ID: int64(meta.Sequence.Stream)}, fmt.Errorf("sequence %d: %w", meta.Sequence.Stream, err)
	}
	return message{Type: "message", ID: int64(meta.Sequence.Stream), Room: r.name, From: p.From, Text: p.Text, At: meta.Timestamp.UTC()}, nil
}
