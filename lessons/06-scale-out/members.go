package main

import "github.com/nats-io/nats.go/jetstream"

// apply takes one change the presence watcher shows: names, the members on
// every instance, follows it, and the local members hear of a name that
// came or went. run calls it for every entry after the watcher's nil.
//
// TODO: TestWelcome. A key put (presenceName(e.Key())) is a member joining:
// tell the local members, once for each name.
//
// TODO: TestPresence. A key deleted is a member leaving: tell them too.
//
// TODO: TestInstanceDies. A key that expires with its instance is a leave
// as well.
func (r *room) apply(local map[string]*client, names map[string]bool, e jetstream.KeyValueEntry) {
}
