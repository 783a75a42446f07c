package e2e

import (
	"strings"
	"testing"

	"wscourse/tools/internal/proxy"
)

// TestLesson04Browser drives lesson 04's chat page against its reference
// server: two people chat, markup stays text, a dropped socket resumes
// without a gap or a duplicate, and after the server is stopped and started
// again on the same port both pages come back on their own, send what was
// typed meanwhile, and show every message exactly once.
func TestLesson04Browser(t *testing.T) {
	t.Parallel()
	srv := startLesson(t, 4)
	ann, bob := joinChat(t, srv.URL, srv.URL, "e2e")

	ann.say("hello bob")
	bob.waitText("log", "hello bob")
	ann.waitFor("ann's own message marked as hers", `[...document.querySelectorAll("#log .mine")].some(e => e.textContent.includes("hello bob"))`)

	// Markup is text: the image is never made, its handler never runs. The
	// message after it shows in either case, so the test waits for that,
	// then says what ran, if anything did.
	const attack = "<img src=x onerror=alert(1)>"
	bob.say(attack)
	bob.say("after the markup")
	for _, p := range []*page{ann, bob} {
		p.waitText("log", "after the markup")
		requireNoDialog(t, p, waitTimeout)
		p.waitText("log", attack)
	}

	// A right-to-left override would show the rest backwards: the page
	// shows it as its code point. (Sent from the page's socket: a key
	// press cannot type it.)
	if _, err := evaluate[bool](bob, `chat.ws.send(JSON.stringify({type: "message", text: "photo\u202Egpj.exe"})) || true`); err != nil {
		t.Fatalf("send a message with U+202E: %v", err)
	}
	for _, p := range []*page{ann, bob} {
		p.waitText("log", "photo\u27E8U+202E\u27E9gpj.exe")
	}

	// bob's socket drops; ann speaks meanwhile. bob comes back with since
	// and epoch and shows her message once, whether it came live or in the
	// welcome's history.
	if _, err := evaluate[bool](bob, `chat.ws.close(4000, "test: network dropped") || true`); err != nil {
		t.Fatalf("close bob's socket: %v", err)
	}
	ann.say("while bob was away")
	bob.waitText("log", "while bob was away")
	bob.waitText("status", "open")

	// The server stops (1001) and starts again on the same port, with a new
	// epoch. ann types while it is down: the page takes it and sends it
	// once it is back.
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	ann.waitText("log", "closed 1001")
	bob.waitText("log", "closed 1001")
	ann.say("typed while the server was down")
	srv2 := startLesson(t, 4, "-addr", srv.Addr)
	ann.waitText("status", "open")
	bob.waitText("status", "open")
	bob.waitText("log", "typed while the server was down")
	bob.say("after the restart")
	ann.waitText("log", "after the restart")
	ann.waitText("members", "bob")

	showOnce(t, []*page{ann, bob}, "hello bob", attack, "while bob was away", "typed while the server was down", "after the restart")
	if err := srv2.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestLesson04Traced runs a chat through the tracing proxy, as `make trace-4`
// does, and has the proxy cut every connection.
func TestLesson04Traced(t *testing.T) {
	t.Parallel()
	srv, px, trace := startTraced(t, 4, proxy.Faults{})
	chatSurvivesCut(t, srv, px, trace, "traced")
}

// chatSurvivesCut has two pages chat in room through the proxy in front of
// srv, then has the proxy cut every connection: both pages see the reset,
// reconnect on their own with since and epoch, and show every message once.
// Lesson 06 runs it too: its page is lesson 04's.
func chatSurvivesCut(t *testing.T, srv *server, px *proxy.Proxy, trace *output, room string) {
	t.Helper()
	ann, bob := joinChat(t, srv.URL, srv.URL, room)
	ann.say("before the cut")
	bob.waitText("log", "before the cut")

	if n := px.CutAll(); n == 0 {
		t.Fatal("the proxy cut no connection")
	}
	ann.waitText("log", "1006")
	ann.waitText("status", "open")
	bob.waitText("status", "open")
	bob.say("after the cut")
	ann.waitText("log", "after the cut")
	bob.waitText("log", "after the cut")
	requireTrace(t, trace, "cut by the proxy", "since=", "&epoch=", "101 Switching Protocols")
	showOnce(t, []*page{ann, bob}, "before the cut", "after the cut")
}

// showOnce waits until every page shows every text, then checks that each
// shows it exactly once: resuming with since and epoch, and deduplicating by
// id, shows every message once, whatever reconnected in between.
func showOnce(t *testing.T, pages []*page, texts ...string) {
	t.Helper()
	for _, p := range pages {
		for _, text := range texts {
			p.waitText("log", text)
		}
	}
	for _, p := range pages {
		log := p.text("log")
		for _, text := range texts {
			if n := strings.Count(log, text); n != 1 {
				t.Errorf("%s: #log shows %q %d times; want exactly once: resuming with since and epoch, and deduplicating by id, shows every message once\n%s", p.url, text, n, p.shows())
			}
		}
	}
}
