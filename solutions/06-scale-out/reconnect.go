package main

import (
	"context"
	"time"
)

// watchAgain replaces w with a new watcher of the room's presence, after
// NATS came back or the old watch ended. JetStream may answer a moment after
// the connection is up, while it reads its streams from disk, so it tries
// again for up to setupTimeout. It returns w when it fails, for the
// deferred stop.
func (r *room) watchAgain(ctx context.Context, w *watcher) (*watcher, error) {
	deadline := time.Now().Add(setupTimeout)
	for {
		again, err := r.watch(ctx)
		if err == nil {
			w.stop()
			return again, nil
		}
		if time.Now().After(deadline) {
			return w, err
		}
		select {
		case <-time.After(retryWait):
		case <-ctx.Done():
			return w, err
		}
	}
}

// resync tells the local members who came and went between what the room
// knew and what a new watcher shows.
func (r *room) resync(local map[string]*client, was, now map[string]bool) {
	for name := range was {
		if !now[name] {
			r.broadcast(local, encode(presence{Type: "leave", Room: r.name, Name: name}))
		}
	}
	for name := range now {
		if !was[name] {
			r.broadcast(local, encode(presence{Type: "join", Room: r.name, Name: name}))
		}
	}
}
