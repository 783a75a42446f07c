package e2e

import (
	"syscall"
	"testing"
)

// The messages lesson01Flow sends: non-ASCII text crosses the wire as UTF-8
// and comes back intact, and markup in a message is text to show, never
// HTML to render.
const (
	lesson01Hello   = "hello, echo"
	lesson01Unicode = "héllo wörld ✓ Привет 日本語 🚀"
	lesson01Markup  = "<b>html</b>"
)

// TestLesson01Browser drives lesson 01's page against its reference server:
// the page connects, echoes what is typed, shows user text as text and not as
// HTML, and reports the server's 1001 close when the server shuts down.
func TestLesson01Browser(t *testing.T) {
	t.Parallel()
	lesson01Flow(t, startLesson(t, 1))
}

func lesson01Flow(t *testing.T, srv *server) {
	t.Helper()
	p := openPage(t, srv.URL+"/")
	p.waitText("status", "open")

	// #log shows what was sent and what came back, so an echo shows twice.
	p.typeInto("message", lesson01Hello)
	p.click("send")
	p.waitCount("log", lesson01Hello, 2)

	p.typeInto("message", lesson01Unicode+" "+lesson01Markup)
	p.click("send")
	p.waitCount("log", lesson01Unicode, 2)
	if n := p.count("#log b"); n != 0 {
		t.Fatalf("#log holds %d <b> elements after sending %q: the page renders messages as HTML; want them shown as text (textContent, not innerHTML)\n%s", n, lesson01Markup, p.shows())
	}
	p.waitCount("log", lesson01Markup, 2)

	// A server shutting down closes each WebSocket with 1001 (going away)
	// and exits 0 in time; the page shows the code.
	srv.Signal(syscall.SIGTERM)
	p.waitText("status", "1001")
	if err := srv.WaitExit(); err != nil {
		t.Fatal(err)
	}
}
