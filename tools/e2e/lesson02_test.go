package e2e

import (
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLesson02Browser drives lesson 02's page against its reference server,
// on both endpoints: choosing one in #endpoint reconnects to it, text and
// binary messages come back, and a server shutting down closes each socket
// with 1001, which the page shows, and exits without waiting on connections
// that never sent a request.
func TestLesson02Browser(t *testing.T) {
	t.Parallel()
	lesson02Flow(t, startLesson(t, 2))
}

// lesson02Text and lesson02Blob are what lesson02Flow sends on endpoint ep,
// as text and as binary.
func lesson02Text(ep string) string { return "héllo ✓ <b>via</b> " + ep }
func lesson02Blob(ep string) string { return "blob " + ep }

func lesson02Flow(t *testing.T, srv *server) {
	t.Helper()
	coderPage := openPage(t, srv.URL+"/")
	coderPage.waitText("status", "open /ws")

	for _, ep := range []string{"/ws", "/ws/coder"} {
		coderPage.choose("endpoint", ep)
		coderPage.waitText("status", "open "+ep)

		// #log shows what was sent and what came back: an echo shows twice.
		text := lesson02Text(ep)
		coderPage.typeInto("message", text)
		coderPage.click("send")
		coderPage.waitCount("log", text, 2)

		// The binary button sends the input's UTF-8 bytes; the log shows
		// them in hex, sent and received.
		blob := lesson02Blob(ep)
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

	// A TCP connection that never sends a request, like the spare ones
	// browsers open, must not hold the shutdown up: the server gives plain
	// HTTP a second, then closes what is left.
	idle, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	signaled := time.Now()
	srv.Signal(syscall.SIGTERM)
	coderPage.waitText("status", "closed 1001")
	gorillaPage.waitText("status", "closed 1001")
	timer := time.NewTimer(time.Until(signaled.Add(2 * time.Second)))
	defer timer.Stop()
	select {
	case <-srv.exited:
	case <-timer.C:
		t.Fatalf("the server was still running 2s after SIGTERM, with every WebSocket closed and one idle TCP connection open; want it gone by then\n%s", srv.output())
	}
	if err := srv.WaitExit(); err != nil {
		t.Fatal(err)
	}
	if out := srv.Output(); strings.Contains(out, "cutting them off") {
		t.Fatalf("the server cut WebSockets off although every page had answered its close frame\n%s", srv.output())
	}
}
