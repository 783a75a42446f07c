package main

// broadcast queues data for every local member.
//
// TODO: TestWelcome. Queue data for every local member (c.send).
//
// TODO: TestSlowMember. Never wait for a member: one whose queue is full is
// evicted, never skipped: out of local, its queue closed (client.go's
// writer then closes it with 1008).
func (r *room) broadcast(local map[string]*client, data []byte) {
}

// dropAll tells the local members that the room can no longer deliver. run
// calls it when it fails, before it returns.
//
// TODO: TestJetStreamGone. Drop each local member with 1013, on which its
// page reconnects (c.drop).
func (r *room) dropAll(local map[string]*client) {
}
