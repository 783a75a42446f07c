package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"wscourse/tools/internal/proxy"
)

// startTraced starts lesson n's reference server as startLesson does, with
// the course's tracing proxy in front of it, as `make trace-N` runs them.
// The server's URL and Addr become the proxy's, so a page opened there and
// every WebSocket it opens go through the proxy. The trace is written to the
// returned output.
func startTraced(t *testing.T, n int, faults proxy.Faults, args ...string) (*server, *proxy.Proxy, *output) {
	t.Helper()
	srv := startLesson(t, n, args...)
	trace := newOutput()
	p := proxy.New(proxy.Config{Server: srv.Addr, Out: trace, Faults: faults})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- p.Serve(ln) }()
	// Registered after startLesson's cleanup, so it runs first: the proxy
	// stops before the server is signalled.
	t.Cleanup(func() {
		p.Close()
		if err := <-served; err != nil {
			t.Errorf("the proxy's Serve: %v", err)
		}
		if t.Failed() {
			t.Logf("trace:\n%s", trace)
		}
	})
	srv.Addr = ln.Addr().String()
	srv.URL = "http://" + srv.Addr
	return srv, p, trace
}

// requireTrace fails unless the trace holds each of want, in this order.
func requireTrace(t *testing.T, trace *output, want ...string) {
	t.Helper()
	rest := trace.String()
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("the trace lacks %q (after the lines before it); trace:\n%s", w, trace)
		}
		rest = rest[i+len(w):]
	}
}

// TestLesson01Traced runs lesson 01's browser flow through the proxy: the
// page works as without it, its Origin passes the server's check unchanged,
// and the trace shows the upgrade, each message both ways and the server's
// 1001 close. Every frame is traced before it is passed on, so what the page
// shows is already in the trace.
func TestLesson01Traced(t *testing.T) {
	t.Parallel()
	srv, _, trace := startTraced(t, 1, proxy.Faults{})
	lesson01Flow(t, srv)
	both := lesson01Unicode + " " + lesson01Markup
	requireTrace(t, trace,
		"client→server  GET / HTTP/1.1", "server→client  HTTP/1.1 200 OK",
		"client→server  GET /ws HTTP/1.1", "Origin: "+srv.URL,
		"server→client  HTTP/1.1 101 Switching Protocols", "Sec-WebSocket-Accept: ",
		fmt.Sprintf(`client→server  text    FIN   masked    %d B  %q`, len(lesson01Hello), lesson01Hello),
		fmt.Sprintf(`server→client  text    FIN   unmasked  %d B  %q`, len(lesson01Hello), lesson01Hello),
		// Long payloads are shown by their start.
		fmt.Sprintf(`client→server  text    FIN   masked    %d B  "héllo wörld`, len(both)),
		fmt.Sprintf(`server→client  text    FIN   unmasked  %d B  "héllo wörld`, len(both)),
		`server→client  close   FIN   unmasked  2+20 B  1001 "server shutting down"`,
	)
	if strings.Contains(trace.String(), "  !") {
		t.Errorf("the trace reports a broken frame (!) in a conversation between a browser and the reference server:\n%s", trace)
	}
}

// TestLesson02Traced runs lesson 02's browser flow through the proxy, on
// both endpoints, text and binary.
func TestLesson02Traced(t *testing.T) {
	t.Parallel()
	srv, _, trace := startTraced(t, 2, proxy.Faults{})
	lesson02Flow(t, srv)
	for _, ep := range []string{"/ws", "/ws/coder"} {
		text, blob := lesson02Text(ep), lesson02Blob(ep)
		requireTrace(t, trace,
			"client→server  GET "+ep+" HTTP/1.1", "server→client  HTTP/1.1 101 Switching Protocols",
			fmt.Sprintf(`client→server  text    FIN   masked    %d B  %q`, len(text), text),
			fmt.Sprintf(`server→client  text    FIN   unmasked  %d B  %q`, len(text), text),
			fmt.Sprintf(`client→server  binary  FIN   masked    %d B  % x`, len(blob), blob),
			fmt.Sprintf(`server→client  binary  FIN   unmasked  %d B  % x`, len(blob), blob),
		)
	}
	if strings.Contains(trace.String(), "  !") {
		t.Errorf("the trace reports a broken frame (!) between a browser and the reference server:\n%s", trace)
	}
}

// TestTraceCutBrowser cuts the connection under an open page: the browser
// reports 1006, abnormal closure, since no close frame came.
func TestTraceCutBrowser(t *testing.T) {
	t.Parallel()
	srv, prx, trace := startTraced(t, 1, proxy.Faults{})
	p := openPage(t, srv.URL+"/")
	p.waitText("status", "open")
	prx.CutAll()
	p.waitText("status", "closed 1006")
	requireTrace(t, trace, "cut by the proxy: RST to client and server")
}
