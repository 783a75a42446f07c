package main

import (
	"context"
	"errors"
)

// historySize is how many of its last messages a room keeps for those who
// join or come back.
const historySize = 50

// errStopped: the room has stopped: the server is shutting down, or the
// room ended empty (rooms.go then starts it anew for the joiner).
var errStopped = errors.New("server shutting down")

// room is one chat room. rooms.go starts its run on first use and calls
// join for each joiner; once run has returned, rooms.go forgets the room,
// and the next joiner starts a new one. The TODOs follow the tests in the
// order `make lesson-4` runs them.
//
// TODO: TestWelcome. One goroutine, run, owns the room's members, history
// and ids; join, leave and post hand their work to it over channels, and
// nothing else touches them. join answers with the joiner's welcome: its
// name, the room, the epoch, the members (the joiner included) and the
// history. Put the welcome first in the member's queue, from run, so that
// nothing can come between it and the messages that follow.
//
// TODO: TestChat. run gives each message the next id of the room and queues
// it for every member, the sender included: one order for all of them.
//
// TODO: TestJoinLeave. The other members hear of each join and leave.
//
// TODO: TestEncodeOnce. Encode each message once, and queue the same bytes
// for every member.
//
// TODO: TestSlowMember. Never wait for a member: one whose queue is full is
// evicted (lesson 03), its queue closed and the others told it left.
//
// TODO: TestEvicted. A post or a leave counts only from the very client that
// is the member: an evicted one is still read until its close handshake
// ends, and a new member may have taken its name since.
//
// TODO: TestNames. A name taken in the room is refused: join returns why.
//
// TODO: TestHistory. Keep the last historySize messages, oldest first.
//
// TODO: TestResume. With since (and an epoch that is this room's, or none),
// the welcome holds only the messages after since, whatever int64 it is.
//
// TODO: TestShutdown. run returns when ctx is done; from then on join
// returns errStopped and leave and post return at once.
//
// TODO: TestEmptyRooms. run also returns when its last member leaves and
// the room holds no messages: it holds nothing, and rooms.go forgets it.
// When the server keeps -max-rooms rooms, rooms.go asks rooms to retire to
// make way for a new one: a room nobody is in ends, and says so; one with
// members stays.
type room struct {
	name  string
	epoch string
}

func newRoom(name, epoch string) *room {
	return &room{name: name, epoch: epoch}
}

// run owns the room until ctx is done.
func (r *room) run(ctx context.Context) {
	<-ctx.Done()
}

// join asks the room to let c in with the welcome req asks for. It returns
// why not: the name is taken, or the room has stopped (errStopped).
func (r *room) join(c *client, req joinRequest) error {
	return errors.New("room.join is not written yet: see the TODOs in room.go")
}

// leave takes c out of the room, if it is still in.
func (r *room) leave(c *client) {}

// retire asks the room to end if nobody is in it, to make way for a new
// room, and reports whether it has ended.
func (r *room) retire() bool { return false }

// post sends c's text to every member, c included.
func (r *room) post(c *client, text string) {}
