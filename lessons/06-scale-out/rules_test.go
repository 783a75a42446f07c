package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNames: names and rooms are 1 to 32 of A-Z a-z 0-9 _ - . and a name is
// unique within its room. A refusal is an error message, then close 1008
// with the same reason.
func TestNames(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	ts := startServer(t, "-nats", startNATS(t))

	refusals := []struct{ why, query, word string }{
		{"no name", "room=lobby", "name"},
		{"an empty name", "name=&room=lobby", "name"},
		{"a name of 33 characters", "name=" + strings.Repeat("n", 33), "name"},
		{"a name with a space", "name=" + url.QueryEscape("ann lee"), "name"},
		{"a name with a non-ASCII letter", "name=" + url.QueryEscape("zoë"), "name"},
		{"a name that is HTML", "name=" + url.QueryEscape("<b>ann</b>"), "name"},
		{"a name with a slash", "name=a%2Fb", "name"},
		{"a room of 33 characters", "name=ann&room=" + strings.Repeat("r", 33), "room"},
		{"a room with a space", "name=ann&room=" + url.QueryEscape("red room"), "room"},
		{"a room with a colon", "name=ann&room=a:b", "room"},
	}
	for _, tc := range refusals {
		c := dialQuery(t, ts, "?"+tc.query, tc.query)
		reason := c.expectRefused(tc.why, "protocol.go: parseJoin, and client.go: serveWS refuses")
		assert.Containsf(t, strings.ToLower(reason), tc.word, "?%s (%s): reason %q; want it to say what was wrong with the %s (look at protocol.go: parseJoin)", tc.query, tc.why, reason, tc.word)
		c.close()
	}

	for _, ok := range []string{"a", strings.Repeat("N", 32), "Ann_Lee-2.0"} {
		c, w := join(t, ts, ok, "names")
		assert.Equalf(t, ok, w.You, "welcome %s: want \"you\":%q (look at protocol.go: validName)", w.raw, ok)
		c.close()
	}
	c, w := join(t, ts, "ann", strings.Repeat("R", 32))
	assert.Equalf(t, strings.Repeat("R", 32), w.Room, "welcome %s: a room of 32 characters is valid (look at protocol.go: parseJoin)", w.raw)
	c.close()

	// A taken name in the same room is refused; the holder stays.
	ann, _ := join(t, ts, "ann", "taken")
	other := dialQuery(t, ts, "a second ann in taken", "name=ann&room=taken")
	reason := other.expectRefused("the name ann is taken in room taken", "presence.go: claim refuses a name taken in the room")
	assert.Containsf(t, reason, "taken", "reason %q; want it to say the name is taken (look at presence.go: claim)", reason)
	ann.say("still here")
	ann.expectChat("ann", "still here", "room.go: a refused joiner must not disturb the member who holds the name")
}

const badFiles = "protocol.go: parseInbound, and client.go: readPump answers and reads on"

// TestBadMessages: a message the server refuses gets an error message, the
// connection stays open, and the other members see nothing of it.
func TestBadMessages(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	ts := startServer(t, "-nats", startNATS(t))

	ann, _ := join(t, ts, "ann", "bad")
	bob, _ := join(t, ts, "bob", "bad")
	ann.expect("join", "bob joining", chatFiles)

	bad := []struct{ why, data, word string }{
		{"invalid JSON", `{"type":"message","text":"hi"`, "json"},
		{"not JSON at all", `hello`, "json"},
		{"JSON that is not UTF-8", "{\"type\":\"message\",\"text\":\"\xff\"}", "json"},
		{"an unknown type", `{"type":"shout","text":"HI"}`, "type"},
		{"no type", `{"text":"hi"}`, "type"},
		{"no text", `{"type":"message"}`, "empty"},
		{"an empty text", `{"type":"message","text":""}`, "empty"},
		{"a text of Unicode white space only", `{"type":"message","text":" \t\n\u00a0\u2003\u3000"}`, "empty"},
		{"a text of 1001 characters", `{"type":"message","text":"` + strings.Repeat("x", 1001) + `"}`, "long"},
		{"a text of 1001 characters after trimming", `{"type":"message","text":"  ` + strings.Repeat("é", 1001) + `  "}`, "long"},
	}
	for _, tc := range bad {
		ann.sendRaw(tc.data)
		m := ann.expect("error", "the answer to "+tc.why+" "+short(tc.data), badFiles)
		assert.Equalf(t, []string{"error", "type"}, jsonKeys(t, m.raw), "got %s; want exactly these fields (look at protocol.go: errorMessage)", m.raw)
		assert.Containsf(t, strings.ToLower(m.Error), tc.word, "%s: got the error %q; want it to say what was wrong (%q) (look at %s)", tc.why, m.Error, tc.word, badFiles)
	}
	ann.conn.SetWriteDeadline(time.Now().Add(readTimeout))
	require.NoError(t, ann.conn.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"message","text":"hi"}`)))
	ann.expect("error", "the answer to a binary message: the protocol is JSON text", badFiles)

	// Still open, and the good messages pass, trimmed.
	good := []struct{ why, text, want string }{
		{"1000 characters of 2 bytes each (2000 bytes)", strings.Repeat("é", 1000), strings.Repeat("é", 1000)},
		{"1000 characters after trimming white space", "\u2003 " + strings.Repeat("€", 1000) + "\n\t", strings.Repeat("€", 1000)},
		{"a text with white space around it", "  hello, bob \u00a0", "hello, bob"},
		{"HTML, which is only text", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"},
	}
	for _, tc := range good {
		ann.say(tc.text)
		for _, c := range []*wsClient{ann, bob} {
			m := c.expect("message", tc.why+", after the refused ones", badFiles)
			require.Equalf(t, short(tc.want), short(m.Text), "%s: sent %s; want the text trimmed of white space, and nothing else changed (look at protocol.go: parseInbound)", tc.why, short(tc.text))
		}
	}
}

// TestMessageTooBig: 16 KiB pass, one byte more closes with 1009.
func TestMessageTooBig(t *testing.T) {
	inLessonOrder(t)
	checkNoLeaks(t)
	ts := startServer(t, "-nats", startNATS(t))

	c, _ := join(t, ts, "ann", "big")
	// Valid JSON of exactly n bytes: the text is padded with spaces, which
	// trimming removes.
	padded := func(n int) string {
		head := `{"type":"message","text":"fits`
		return head + strings.Repeat(" ", n-len(head)-2) + `"}`
	}
	c.sendRaw(padded(maxMessageSize))
	m := c.expect("message", "a message of 16384 bytes, the limit", "client.go: SetReadLimit(maxMessageSize); coder/websocket's default is 32768")
	require.Equalf(t, "fits", m.Text, "got %s; want \"fits\" (look at protocol.go: parseInbound trims)", short(m.raw))

	c.sendRaw(padded(maxMessageSize + 1))
	e := c.expectClose(readTimeout, "a message of 16385 bytes, one over the limit", "client.go: SetReadLimit(maxMessageSize)")
	require.Equalf(t, websocket.CloseMessageTooBig, e.code, "a message of 16385 bytes: got %s; want close 1009 (look at client.go: SetReadLimit(maxMessageSize))", e)
}
