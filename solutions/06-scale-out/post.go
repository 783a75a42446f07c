package main

import (
	"context"
	"crypto/rand"

	"github.com/nats-io/nats.go/jetstream"
)

// post publishes c's text to the room's subject. It comes back, with its
// id, to every member on every instance, c included, through run.
func (r *room) post(ctx context.Context, c *client, text string) error {
	ctx, cancel := context.WithTimeout(ctx, postTimeout)
	defer cancel()
	// Just after NATS is back, JetStream may not answer yet while it reads
	// its streams from disk ("no responders"): try again until postTimeout.
	// Every try carries the post's own id, so that JetStream stores one
	// message however many tries reached it.
	_, err := r.b.js.Publish(ctx, r.subject, encode(posted{From: c.name, Text: text}),
		jetstream.WithMsgID(rand.Text()),
		jetstream.WithRetryWait(retryWait), jetstream.WithRetryAttempts(int(postTimeout/retryWait)))
	if err != nil {
		r.logf("room %s: %s's message not sent: %v", r.name, c.name, err)
	}
	return err
}
