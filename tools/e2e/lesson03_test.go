package e2e

import (
	"syscall"
	"testing"
	"time"

	"wscourse/tools/internal/proxy"
)

// TestLesson03Browser drives lesson 03's ticker page against its reference
// server: two pages see each other's messages and the server's ticks, the
// messages-per-second counter moves, user text stays text, and a server
// shutting down closes both pages with 1001 and exits in time.
func TestLesson03Browser(t *testing.T) {
	t.Parallel()
	lesson03Flow(t, startLesson(t, 3, "-tick", "100ms"))
}

// TestLesson03Traced runs the same flow through the tracing proxy, as
// `make trace-3` does: the pages work as without it, and the trace shows
// the ticks and the 1001 close.
func TestLesson03Traced(t *testing.T) {
	t.Parallel()
	srv, _, trace := startTraced(t, 3, proxy.Faults{}, "-tick", "100ms")
	lesson03Flow(t, srv)
	requireTrace(t, trace, "101 Switching Protocols", `text    FIN   unmasked`, `\"type\":\"tick\"`, `1001 "server shutting down"`)
}

func lesson03Flow(t *testing.T, srv *server) {
	t.Helper()
	alice := openPage(t, srv.URL+"/")
	alice.waitText("status", "open")
	bob := openPage(t, srv.URL+"/")
	bob.waitText("status", "open")

	// The ticks reach both pages, through the same hub as the messages.
	for _, p := range []*page{alice, bob} {
		p.waitText("log", "tick #")
		p.waitText("quote", "GOPH")
		p.waitFor("#rate to count the ticks, 10 a second", `Number(document.getElementById("rate").textContent) > 0`)
	}

	// A message from one page reaches both: the sender's log shows it twice,
	// sent and received. Markup in it is text, never HTML.
	const fromAlice = "hello from alice, <b>bold?</b> ✓"
	alice.typeInto("message", fromAlice)
	alice.click("send")
	alice.waitCount("log", fromAlice, 2)
	bob.waitText("log", fromAlice)

	const fromBob = "héllo from bob 👋"
	bob.typeInto("message", fromBob)
	bob.click("send")
	alice.waitText("log", fromBob)
	bob.waitCount("log", fromBob, 2)
	for _, p := range []*page{alice, bob} {
		if n := p.count("#log b"); n != 0 {
			t.Fatalf("#log holds %d <b> elements: the page renders messages as HTML; want them shown as text (textContent, not innerHTML)\n%s", n, p.shows())
		}
	}

	signaled := time.Now()
	srv.Signal(syscall.SIGTERM)
	alice.waitText("status", "closed 1001")
	bob.waitText("status", "closed 1001")
	timer := time.NewTimer(time.Until(signaled.Add(2 * time.Second)))
	defer timer.Stop()
	select {
	case <-srv.exited:
	case <-timer.C:
		t.Fatalf("the server was still running 2s after SIGTERM, with every page's WebSocket closed; want it gone by then\n%s", srv.output())
	}
	if err := srv.WaitExit(); err != nil {
		t.Fatal(err)
	}
}
