package main

import (
	"cmp"
	"slices"
)

// welcome is what a joiner gets first: the members on every instance,
// itself included, and the history it has not seen.
func (r *room) welcome(name string, names map[string]bool, history []message, req joinRequest) welcome {
	members := []string{name}
	for n := range names {
		if n != name {
			members = append(members, n)
		}
	}
	slices.Sort(members)
	// The epoch is the stream's: ids start over only with a new stream.
	start := 0
	if req.resume && (req.epoch == "" || req.epoch == r.b.epoch) {
		// The first message after since; not since+1, which overflows at
		// the largest id.
		var found bool
		start, found = slices.BinarySearchFunc(history, req.since, func(m message, id int64) int {
			return cmp.Compare(m.ID, id)
		})
		if found {
			start++
		}
	}
	return welcome{
		Type:    "welcome",
		You:     name,
		Room:    r.name,
		Epoch:   r.b.epoch,
		Members: members,
		History: append([]message{}, history[start:]...), // never null
	}
}
