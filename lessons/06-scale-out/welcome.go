package main

// welcome is what a joiner gets first: the members on every instance,
// itself included, and the history it has not seen. run calls it once the
// room has caught up with the joiner's claim and with the stream.
//
// TODO: TestWelcome. Lesson 04's welcome: the joiner's name, the room, the
// members in names with the joiner among them, and the history, never null.
// The epoch is the stream's (r.b.epoch), the same on every instance.
//
// TODO: TestResume. With since (req.resume), and the stream's epoch or none,
// only the messages after since. Ids have gaps here: every room's messages
// share the stream's sequence.
func (r *room) welcome(name string, names map[string]bool, history []message, req joinRequest) welcome {
	return welcome{Type: "welcome"}
}
