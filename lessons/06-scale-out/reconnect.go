package main

import (
	"context"
	"errors"
)

// watchAgain replaces w with a new watcher of the room's presence, after
// NATS came back or the old watch ended. It returns w when it fails, for
// the room's deferred stop.
//
// TODO: TestNATSRestarts. Start a new watcher (watch), trying again every
// retryWait for up to setupTimeout while JetStream does not answer yet.
//
// TODO: TestShortOutage. The new watcher lives as long as the room; the old
// one is stopped.
func (r *room) watchAgain(ctx context.Context, w *watcher) (*watcher, error) {
	return w, errors.New("watchAgain is not written yet: see the TODOs in reconnect.go")
}

// resync tells the local members who came and went between what the room
// knew (was) and what a new watcher shows (now), once it has shown it all.
//
// TODO: TestShortOutage. Tell them who came and went while the instance
// could not hear, and nothing of who stayed.
func (r *room) resync(local map[string]*client, was, now map[string]bool) {
}
