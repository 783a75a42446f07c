package main

import (
	"context"
	"errors"
	"time"
)

// watch starts a watcher of the room's presence that lives until ctx is
// done or it is stopped. The question to JetStream is bounded by
// setupTimeout; the watcher it starts is not.
func (r *room) watch(ctx context.Context) (*watcher, error) {
	ctx, stop := context.WithCancel(ctx)
	t := time.AfterFunc(setupTimeout, stop)
	kw, err := r.b.presence.Watch(ctx, token(r.name)+".*")
	if !t.Stop() && err == nil {
		err = errors.New("watch: started after its timeout") // and ended by it
	}
	if err != nil {
		stop()
		return nil, err
	}
	return &watcher{KeyWatcher: kw, stop: stop}, nil
}
