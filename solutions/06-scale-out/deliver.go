package main

import "github.com/coder/websocket"

// broadcast queues data for every local member, without waiting. A member
// whose queue is full is evicted: its queue is closed, its writer closes
// with 1008, and its leave reaches everyone when its claim is released.
func (r *room) broadcast(local map[string]*client, data []byte) {
	for name, c := range local {
		select {
		case c.send <- data:
		default:
			delete(local, name)
			close(c.send)
		}
	}
}

// dropAll tells the local members that the room can no longer deliver:
// their pages reconnect on 1013, to a room that starts afresh, and resume
// with since.
func (r *room) dropAll(local map[string]*client) {
	for _, c := range local {
		c.drop(websocket.StatusTryAgainLater, "the room lost its broker: reconnect")
	}
}
