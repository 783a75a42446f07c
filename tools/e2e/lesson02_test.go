package e2e

import (
	"fmt"
	"syscall"
	"testing"
)

// TestLesson02Browser drives lesson 02's page against its reference server,
// on both endpoints: choosing one in #endpoint reconnects to it, text and
// binary messages come back, and a server shutting down closes each socket
// with 1001, which the page shows.
func TestLesson02Browser(t *testing.T) {
	t.Parallel()
	srv := startLesson(t, 2)
	coderPage := openPage(t, srv.URL+"/")
	coderPage.waitText("status", "open /ws")

	for _, ep := range []string{"/ws", "/ws/coder"} {
		coderPage.choose("endpoint", ep)
		coderPage.waitText("status", "open "+ep)

		// #log shows what was sent and what came back: an echo shows twice.
		text := "héllo ✓ <b>via</b> " + ep
		coderPage.typeInto("message", text)
		coderPage.click("send")
		coderPage.waitCount("log", text, 2)

		// The binary button sends the input's UTF-8 bytes; the log shows
		// them in hex, sent and received.
		blob := "blob " + ep
		coderPage.typeInto("message", blob)
		coderPage.click("send-binary")
		coderPage.waitCount("log", fmt.Sprintf("binary (%d bytes) % x", len(blob), blob), 2)
	}
	if n := coderPage.count("#log b"); n != 0 {
		t.Fatalf("#log holds %d <b> elements: the page renders messages as HTML; want them shown as text (textContent, not innerHTML)\n%s", n, coderPage.shows())
	}

	// A second page stays on /ws, so that the shutdown reaches both endpoints.
	gorillaPage := openPage(t, srv.URL+"/")
	gorillaPage.waitText("status", "open /ws")

	srv.Signal(syscall.SIGTERM)
	coderPage.waitText("status", "closed 1001")
	gorillaPage.waitText("status", "closed 1001")
	if err := srv.WaitExit(); err != nil {
		t.Fatal(err)
	}
}
