package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	welcomeFiles = "presence.go: claim, watch.go: watch, and welcome.go: welcome"
	chatFiles    = "post.go: post publishes to the room's subject; consume.go: consume follows it and deliver.go: broadcast queues what the stream sends, on every instance"
)

// TestWelcome: the first message on every connection is lesson 04's welcome,
// with the members on every instance, and every instance gives the same
// epoch.
func TestWelcome(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	natsURL, in := startInstances(t, 2)

	ann := dialQuery(t, in[0], "ann (no room given)", "name=ann")
	w := ann.expect("welcome", "the welcome, the first message", welcomeFiles)
	assert.Equalf(t, []string{"epoch", "history", "members", "room", "type", "you"}, jsonKeys(t, w.raw),
		"welcome %s: want exactly these fields, lesson 04's (look at protocol.go: welcome)", w.raw)
	assert.Equalf(t, "ann", w.You, `welcome %s: want "you":"ann" (look at %s)`, w.raw, welcomeFiles)
	assert.Equalf(t, "lobby", w.Room, `welcome %s: want "room":"lobby" (look at welcome.go: welcome)`, w.raw)
	assert.NotEmptyf(t, w.Epoch, `welcome %s: want a non-empty "epoch", the stream's (look at welcome.go: welcome, and broker.go: epoch)`, w.raw)
	assert.Equalf(t, []string{"ann"}, w.Members, `welcome %s: want "members":["ann"], the joiner included (look at welcome.go: welcome)`, w.raw)
	assert.Containsf(t, w.raw, `"history":[]`, `welcome %s: nothing was said yet; want "history":[], an empty list, not null (look at welcome.go: welcome)`, w.raw)

	bob, w2 := join(t, in[1], "bob", "other")
	assert.Equalf(t, w.Epoch, w2.Epoch, "the welcome of the second instance has epoch %q, the first's %q; want the stream's epoch, one for every instance (look at welcome.go: welcome gives r.b.epoch)", w2.Epoch, w.Epoch)

	// Each room starts on the other instance with a second member, after
	// the first claimed: the first's key is in the bucket before that
	// room's watcher starts. The first hears the second join, not itself.
	const seen = "watch.go: watch; a presence watcher shows the keys already in the bucket when it starts (UpdatesOnly would hide them), then nil, then the changes; room.go lets a joiner in only once the watcher has shown them all and the joiner's own claim"
	for _, p := range []struct {
		first             *wsClient
		name, room, query string
		on                *testServer
	}{
		{ann, "cy", "lobby", "name=cy", in[1]},
		{bob, "dee", "other", "name=dee&room=other", in[0]},
	} {
		first := p.first.member
		c := dialQuery(t, p.on, p.name+" in "+p.room+" (the other instance)", p.query)
		w := c.expect("welcome", "the welcome, the first message", welcomeFiles)
		assert.ElementsMatchf(t, []string{first, p.name}, w.Members, "%s's welcome %s: %s was in %s already, on the other instance; want members %s and %s. Existing members were not seen (look at %s)", p.name, w.raw, first, p.room, first, p.name, seen)
		p.first.expectJoin(p.name, p.name+" joining", "members.go: apply tells the local members of each claim the watcher shows after its nil, through deliver.go: broadcast")
	}

	// A room's presence watcher lasts as long as the room: a join in a
	// room that runs on both instances starts none.
	watchers := watchPresenceConsumers(t, natsURL)
	join(t, in[1], "eve", "lobby")
	ann.expectJoin("eve", "eve joining", "members.go: apply")
	assert.Zerof(t, watchers.created.Load(), "presence watchers started while eve joined lobby, where one runs on each instance already: %d; want none. A watcher that ends at once is replaced, again and again: the context given to KeyValue.Watch is the watcher's lifetime, not only the question's (look at watch.go: watch)", watchers.created.Load())
}

// TestChat: members on two instances; every member gets each message exactly
// once, all in the same order, with ids that grow, whoever sent it where.
func TestChat(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	_, in := startInstances(t, 2)
	requireChat(t, in[0])

	var cs []*wsClient
	for i, name := range []string{"ann", "bob", "cy", "dee"} {
		c, _ := join(t, in[i%2], name, "chat")
		c.name = fmt.Sprintf("%s (instance %d)", name, i%2+1)
		// Earlier members, on either instance, hear the join first.
		for _, o := range cs {
			o.expect("join", name+" joining", "members.go: apply tells the local members of every claim the presence watcher shows, through deliver.go: broadcast")
		}
		cs = append(cs, c)
	}

	// Every member on every instance gets every message.
	{
		last := int64(0)
		for _, sender := range cs {
			name := strings.Fields(sender.name)[0]
			text := "hello from " + name
			sender.say(text)
			var id int64
			for _, c := range cs {
				m := c.expectChat(name, text, chatFiles)
				assert.Equalf(t, []string{"at", "from", "id", "room", "text", "type"}, jsonKeys(t, m.raw),
					"%s: got %s; want exactly these fields (look at protocol.go: message)", c.name, m.raw)
				assert.Equalf(t, "chat", m.Room, "%s: got %s; want \"room\":\"chat\" (look at consume.go: decode)", c.name, m.raw)
				at, err := time.Parse(time.RFC3339, m.At)
				if assert.NoErrorf(t, err, "%s: got %s; want \"at\" in RFC 3339 (look at consume.go: decode)", c.name, m.raw) {
					assert.WithinDurationf(t, time.Now(), at, time.Minute, "%s: got %s; want \"at\" the time the stream took it (look at consume.go: decode)", c.name, m.raw)
				}
				require.Positivef(t, m.ID, "%s: got %s with id %d; want the stream's sequence, one id for a message on every instance: does the instance that took it deliver it itself? (look at consume.go: decode)", c.name, short(m.raw), m.ID)
				if id == 0 {
					id = m.ID
				}
				require.Equalf(t, id, m.ID, "%s: got %s with id %d, another member got it with id %d; want one id for a message on every instance, the stream's sequence (look at consume.go: decode)", c.name, short(m.raw), m.ID, id)
			}
			require.Greaterf(t, id, last, "%s's message has id %d, the message before it had %d; want ids that grow: the stream's sequence (look at consume.go: decode)", name, id, last)
			last = id
		}
	}

	// Exactly once, in one order, with many senders on two instances.
	{
		const n = 15 // each, within the burst the rate limit allows
		var wg sync.WaitGroup
		for _, sender := range cs {
			name := strings.Fields(sender.name)[0]
			wg.Go(func() {
				for i := range n {
					sender.conn.SetWriteDeadline(time.Now().Add(readTimeout))
					data := fmt.Sprintf(`{"type":"message","text":"%s %d"}`, name, i)
					if sender.conn.WriteMessage(websocket.TextMessage, []byte(data)) != nil {
						return // the reads below fail and say why
					}
				}
			})
		}
		wg.Wait()
		total := len(cs) * n
		got := make([][]msg, len(cs))
		for k, c := range cs {
			deadline := time.Now().Add(readTimeout)
			for len(got[k]) < total {
				e, ok := c.next(time.Until(deadline))
				require.Truef(t, ok, "%s: four members on two instances sent %d messages each; got %d, then nothing within %v; want all %d, once each (look at %s)", c.name, n, len(got[k]), readTimeout, total, chatFiles)
				require.Truef(t, !e.end() && e.m.Type == "message", "%s: got %s after %d of %d messages; want the next chat message (look at %s)", c.name, e, len(got[k]), total, chatFiles)
				got[k] = append(got[k], e.m)
			}
		}
		// A last message after all of them: a duplicate would come before it.
		cs[0].say("the end")
		var first []msg
		for k, c := range cs {
			got := got[k]
			end := c.expect("message", `"the end", sent after all the others`, chatFiles)
			require.Equalf(t, "the end", end.Text, "%s: after the %d messages got %s; want \"the end\": was a message delivered twice, once by the instance that took it and once from the stream? (look at %s)", c.name, total, short(end.raw), chatFiles)
			for _, sender := range cs {
				name := strings.Fields(sender.name)[0]
				i := 0
				for _, m := range got {
					if m.From == name {
						require.Equalf(t, fmt.Sprintf("%s %d", name, i), m.Text, "%s: message %d from %s is %q; want each sender's messages once, in the order it sent them (look at %s)", c.name, i+1, name, m.Text, chatFiles)
						i++
					}
				}
				require.Equalf(t, n, i, "%s: got %d messages from %s; want %d (look at %s)", c.name, i, name, n, chatFiles)
			}
			for i := 1; i < len(got); i++ {
				require.Greaterf(t, got[i].ID, got[i-1].ID, "%s: message %d has id %d after id %d; want ids that grow, in the stream's order (look at %s)", c.name, i+1, got[i].ID, got[i-1].ID, chatFiles)
			}
			if first == nil {
				first = got
				continue
			}
			for i := range got {
				if got[i].ID != first[i].ID || got[i].Text != first[i].Text {
					t.Fatalf("%s: message %d is %q (id %d), but %s got %q (id %d) there; want every member on every instance to get the messages in the same order, the stream's: does the instance that takes a message deliver it itself? (look at %s)", c.name, i+1, got[i].Text, got[i].ID, cs[0].name, first[i].Text, first[i].ID, chatFiles)
				}
			}
		}
	}

	// A room's messages reach only its members.
	{
		// The same name in another room is fine; a '.' in a room's name is
		// too, though NATS splits subjects at dots.
		blue, _ := join(t, in[1], "ann", "blue.team")
		blue.say("blue only")
		first := blue.expectChat("ann", "blue only", chatFiles)
		cs[1].say("chat only")
		between := cs[1].expectChat("bob", "chat only", chatFiles)
		blue.say("still blue")
		m := blue.expect("message", "its own second message", "consume.go: each room follows its own subject")
		require.Equalf(t, "still blue", m.Text, "ann in blue got %s; want \"still blue\": a message reaches only its own room (look at post.go and consume.go: each room publishes to and follows its own subject, roomSubject)", short(m.raw))
		require.Truef(t, first.ID < between.ID && between.ID < m.ID, "three messages sent one after another, in rooms blue.team, chat and blue.team, have ids %d, %d and %d; want them growing in that order: every room's ids are the stream's sequence, which counts the messages of every room (look at consume.go: decode, and which of the metadata's sequences it takes)", first.ID, between.ID, m.ID)
	}
}
