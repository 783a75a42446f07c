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
	welcomeFiles = "client.go: serveWS, and room.go: run and welcome"
	chatFiles    = "room.go: run, and client.go: readPump and writePump"
)

// TestWelcome: the first message on every connection is the welcome, with
// exactly the contract's fields.
func TestWelcome(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)

	ann := dialQuery(t, ts, "ann (no room given)", "name=ann")
	w := ann.expect("welcome", "the welcome, the first message", welcomeFiles)
	assert.Equalf(t, []string{"epoch", "history", "members", "room", "type", "you"}, jsonKeys(t, w.raw),
		"welcome %s: want exactly these fields (look at protocol.go: the struct of the welcome)", w.raw)
	assert.Equalf(t, "ann", w.You, `welcome %s: want "you":"ann", the name the client asked for (look at %s)`, w.raw, welcomeFiles)
	assert.Equalf(t, "lobby", w.Room, `welcome %s: the query names no room; want "room":"lobby" (look at protocol.go: parseJoin)`, w.raw)
	assert.NotEmptyf(t, w.Epoch, `welcome %s: want a non-empty "epoch", the server's (look at room.go: the welcome)`, w.raw)
	assert.Equalf(t, []string{"ann"}, w.Members, `welcome %s: want "members":["ann"], the joiner included (look at room.go: the welcome)`, w.raw)
	assert.Containsf(t, w.raw, `"history":[]`, `welcome %s: nothing was said yet; want "history":[], an empty list, not null (look at room.go: the welcome)`, w.raw)

	bob, w2 := join(t, ts, "bob", "lobby")
	assert.ElementsMatchf(t, []string{"ann", "bob"}, w2.Members, `bob's welcome %s: want the members ann and bob, the joiner included (look at room.go: the welcome)`, w2.raw)
	assert.Equalf(t, w.Epoch, w2.Epoch, "bob's welcome: epoch %q, ann's was %q; want one epoch for the whole run of the server (look at room.go: the welcome)", w2.Epoch, w.Epoch)
	bob.close()
}

// TestChat: every member, the sender included, gets each message exactly
// once, all in the same order, with ids that grow.
func TestChat(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)

	var cs []*wsClient
	for _, name := range []string{"ann", "bob", "cy"} {
		c, _ := join(t, ts, name, "chat")
		// Earlier members hear the join first.
		for _, o := range cs {
			o.expect("join", name+" joining", chatFiles)
		}
		cs = append(cs, c)
	}

	t.Run("every member gets every message, the sender included", func(t *testing.T) {
		last := int64(0)
		for _, sender := range cs {
			name := strings.Fields(sender.name)[0]
			text := "hello from " + name
			sender.say(text)
			var id int64
			for _, c := range cs {
				m := c.expectChat(name, text, chatFiles)
				assert.Equalf(t, []string{"at", "from", "id", "room", "text", "type"}, jsonKeys(t, m.raw),
					"%s: got %s; want exactly these fields (look at protocol.go: the struct of the chat message)", c.name, m.raw)
				assert.Equalf(t, "chat", m.Room, "%s: got %s; want \"room\":\"chat\" (look at room.go)", c.name, m.raw)
				at, err := time.Parse(time.RFC3339, m.At)
				if assert.NoErrorf(t, err, "%s: got %s; want \"at\" in RFC 3339 (look at protocol.go: the struct of the chat message)", c.name, m.raw) {
					assert.WithinDurationf(t, time.Now(), at, time.Minute, "%s: got %s; want \"at\" the time the room took it (look at room.go)", c.name, m.raw)
				}
				if id == 0 {
					id = m.ID
				}
				require.Equalf(t, id, m.ID, "%s: got %s with id %d, another member got it with id %d; want one id for a message, the same for every member (look at room.go: ids belong to the room, not to a connection)", c.name, short(m.raw), m.ID, id)
			}
			require.Greaterf(t, id, last, "%s's message has id %d, the message before it had %d; want ids that grow with every message of the room (look at room.go: ids belong to the room, not to a connection)", name, id, last)
			last = id
		}
	})

	t.Run("exactly once, in one order, with many senders at once", func(t *testing.T) {
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
		got := make([][]msg, len(cs))
		for k, c := range cs {
			deadline := time.Now().Add(readTimeout)
			for len(got[k]) < 3*n {
				e, ok := c.next(time.Until(deadline))
				require.Truef(t, ok, "%s: three members sent %d messages each; got %d, then nothing within %v; want all %d, once each (look at %s)", c.name, n, len(got[k]), readTimeout, 3*n, chatFiles)
				require.Truef(t, !e.end() && e.m.Type == "message", "%s: got %s after %d of %d messages; want the next chat message (look at %s)", c.name, e, len(got[k]), 3*n, chatFiles)
				got[k] = append(got[k], e.m)
			}
		}
		// A last message after all of them: nothing may come between the
		// 3n messages and it, so a duplicate shows.
		cs[0].say("the end")
		var first []msg
		for k, c := range cs {
			got := got[k]
			end := c.expect("message", `"the end", sent after all the others`, chatFiles)
			require.Equalf(t, "the end", end.Text, "%s: after the %d messages got %s; want \"the end\": was a message delivered twice? (look at %s)", c.name, 3*n, short(end.raw), chatFiles)
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
				require.Greaterf(t, got[i].ID, got[i-1].ID, "%s: message %d has id %d after id %d; want ids that grow (look at room.go: one owner gives the ids, in the order it takes the messages)", c.name, i+1, got[i].ID, got[i-1].ID)
			}
			if first == nil {
				first = got
				continue
			}
			for i := range got {
				if got[i].ID != first[i].ID || got[i].Text != first[i].Text {
					t.Fatalf("%s: message %d is %q (id %d), but %s got %q (id %d) there; want every member to get the messages in the same order, the room's (look at room.go: run)", c.name, i+1, got[i].Text, got[i].ID, cs[0].name, first[i].Text, first[i].ID)
				}
			}
		}
	})
}

// TestJoinLeave: the other members hear who comes and goes; the joiner
// learns the members from its welcome.
func TestJoinLeave(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)

	ann, _ := join(t, ts, "ann", "jl")
	bob, w := join(t, ts, "bob", "jl")
	assert.ElementsMatchf(t, []string{"ann", "bob"}, w.Members, "bob's welcome %s: want members ann and bob (look at room.go: the welcome)", w.raw)
	j := ann.expect("join", "bob joining", "room.go: run tells the other members")
	assert.Equalf(t, []string{"name", "room", "type"}, jsonKeys(t, j.raw), "ann got %s; want exactly these fields (look at protocol.go: the struct of the join and leave messages)", j.raw)
	assert.Equalf(t, "bob", j.Name, "ann got %s; want \"name\":\"bob\" (look at room.go)", j.raw)
	assert.Equalf(t, "jl", j.Room, "ann got %s; want \"room\":\"jl\" (look at room.go)", j.raw)

	// bob hears nothing of its own join: the next thing is ann's message.
	ann.say("hi bob")
	bob.expectChat("ann", "hi bob", "room.go: the join goes to the other members, not to the joiner")
	ann.expectChat("ann", "hi bob", chatFiles)

	bob.close() // gone without a close frame, as a lost network goes
	l := ann.expect("leave", "bob leaving (its connection ended)", "client.go: serveWS leaves the room when reading ends; room.go: run tells the others")
	assert.Equalf(t, []string{"name", "room", "type"}, jsonKeys(t, l.raw), "ann got %s; want exactly these fields (look at protocol.go: the struct of the join and leave messages)", l.raw)
	assert.Equalf(t, "bob", l.Name, "ann got %s; want \"name\":\"bob\" (look at room.go)", l.raw)

	_, w = join(t, ts, "cy", "jl")
	assert.ElementsMatchf(t, []string{"ann", "cy"}, w.Members, "cy's welcome %s after bob left: want members ann and cy (look at room.go: run)", w.raw)
	ann.expect("join", "cy joining", chatFiles)

	// Each thing twice: bob comes back, and leaves again, this time with a
	// close frame, as a page that is closed does.
	bob, w = join(t, ts, "bob", "jl")
	assert.ElementsMatchf(t, []string{"ann", "bob", "cy"}, w.Members, "bob's welcome %s, back after leaving: want members ann, bob and cy (look at room.go: run)", w.raw)
	j = ann.expect("join", "bob joining a second time", chatFiles)
	assert.Equalf(t, "bob", j.Name, "ann got %s; want bob joining again (look at room.go)", j.raw)
	require.NoError(t, bob.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(readTimeout)))
	e := bob.expectClose(readTimeout, "after its close 1000", "client.go: serveWS; coder/websocket answers a close frame by itself while Read runs")
	assert.Equalf(t, websocket.CloseNormalClosure, e.code, "bob sent close 1000: got %s; want close 1000 back, the handshake finished (look at client.go: readPump, which must go on reading until the close frame)", e)
	l = ann.expect("leave", "bob leaving a second time, with a close frame", "client.go: serveWS leaves the room when reading ends; room.go: run tells the others")
	assert.Equalf(t, "bob", l.Name, "ann got %s; want \"name\":\"bob\" (look at room.go)", l.raw)
}

// TestRooms: a room's messages reach its members and nobody else.
func TestRooms(t *testing.T) {
	checkNoLeaks(t)
	ts := startChat(t)
	requireWelcome(t, ts)
	requireChat(t, ts)

	red1, _ := join(t, ts, "ann", "red")
	blue, w := join(t, ts, "ann", "blue") // the same name in another room is fine
	assert.Equalf(t, []string{"ann"}, w.Members, "ann's welcome in blue %s: want only ann, the members of blue (look at room.go)", w.raw)
	red2, w := join(t, ts, "bob", "red")
	assert.ElementsMatchf(t, []string{"ann", "bob"}, w.Members, "bob's welcome in red %s: want ann and bob, the members of red (look at room.go)", w.raw)
	red1.expect("join", "bob joining red", chatFiles)

	blue.say("blue only")
	m := blue.expectChat("ann", "blue only", chatFiles)
	assert.Equalf(t, "blue", m.Room, "got %s; want \"room\":\"blue\" (look at room.go)", m.raw)
	red2.say("red only")
	for _, c := range []*wsClient{red1, red2} {
		m := c.expect("message", "bob's message in red", "room.go: each room sends to its own members")
		require.Equalf(t, "red only", m.Text, "%s: got %s; want bob's \"red only\": a message reaches only its own room (look at room.go)", c.name, short(m.raw))
	}
	// blue's next message is its own again, not red's.
	blue.say("still blue")
	m = blue.expect("message", "its own second message", "room.go: each room sends to its own members")
	require.Equalf(t, "still blue", m.Text, "ann in blue got %s; want \"still blue\": a message reaches only its own room (look at room.go)", short(m.raw))
}
