package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"wscourse/tools/internal/proxy"
)

// lesson05Counter is a JavaScript expression for the number a panel's counter
// shows: data-transport and data-counter are the hooks the course fixes.
func lesson05Counter(transport, name string) string {
	return fmt.Sprintf(`Number(document.querySelector('[data-transport="%s"] [data-counter="%s"]').textContent)`, transport, name)
}

// TestLesson05Browser drives lesson 05's page against its reference server:
// all four panels count the updates they receive, with their requests, bytes
// and latency; the fallback client uses WebSocket, or SSE when the page is
// told that WebSocket is blocked, or long-polling when SSE is too; and a
// server shutting down closes the WebSocket with 1001 and exits 0.
func TestLesson05Browser(t *testing.T) {
	t.Parallel()
	lesson05Flow(t, startLesson(t, 5, "-rate", "50"))
}

// TestLesson05Traced runs the same flow through the tracing proxy, as
// `make trace-5` does: every transport works through it, and the trace shows
// polls with their sizes, the event stream's chunks and WebSocket frames.
func TestLesson05Traced(t *testing.T) {
	t.Parallel()
	srv, _, trace := startTraced(t, 5, proxy.Faults{}, "-rate", "50")
	lesson05Flow(t, srv)
	requireTrace(t, trace, "GET /poll?since=", "200 OK  head")
	requireTrace(t, trace, "GET /sse", "chunk")
	requireTrace(t, trace, "GET /ws", "101 Switching Protocols", "text    FIN   unmasked")
}

func lesson05Flow(t *testing.T, srv *server) {
	t.Helper()
	p := openPage(t, srv.URL+"/?interval=200")
	p.waitText("status", "WebSocket: open")
	for _, tr := range []string{"poll", "longpoll", "sse", "ws"} {
		p.waitFor(fmt.Sprintf("the %s panel to count 5 updates, with their bytes and latency", tr),
			fmt.Sprintf("%s >= 5 && %s > 0 && %s >= 1 && %s >= 0",
				lesson05Counter(tr, "updates"), lesson05Counter(tr, "bytes"), lesson05Counter(tr, "requests"), lesson05Counter(tr, "latency")))
	}
	// Short polling asks every 200ms; long-polling once per answer.
	p.waitFor("the poll panel to count 3 requests", lesson05Counter("poll", "requests")+" >= 3")
	p.waitFor("the longpoll panel to count 3 requests", lesson05Counter("longpoll", "requests")+" >= 3")
	p.waitCount("log", "WebSocket ←", 3)

	sse := openPage(t, srv.URL+"/?disable=ws")
	sse.waitText("status", "SSE: open")
	sse.waitCount("log", "SSE ←", 3)

	lp := openPage(t, srv.URL+"/?disable=ws,sse")
	lp.waitText("status", "long-polling: open")
	lp.waitCount("log", "long-polling ←", 3)

	srv.Signal(syscall.SIGTERM)
	p.waitText("status", "WebSocket: closed 1001")
	if err := srv.WaitExit(); err != nil {
		t.Fatal(err)
	}
	if out := srv.Output(); strings.Contains(out, "cutting them off") {
		t.Fatalf("the server cut connections off although every page let go in time\n%s", srv.output())
	}
}
