package main

import "github.com/nats-io/nats.go/jetstream"

// apply takes one change the presence watcher shows: names, the members on
// every instance, follows it, and the local members hear of a name that
// came or went.
func (r *room) apply(local map[string]*client, names map[string]bool, e jetstream.KeyValueEntry) {
	name := presenceName(e.Key())
	switch e.Operation() {
	case jetstream.KeyValuePut:
		if !names[name] {
			names[name] = true
			r.broadcast(local, encode(presence{Type: "join", Room: r.name, Name: name}))
		}
	default: // deleted, or expired with its instance
		if names[name] {
			delete(names, name)
			r.broadcast(local, encode(presence{Type: "leave", Room: r.name, Name: name}))
		}
	}
}
