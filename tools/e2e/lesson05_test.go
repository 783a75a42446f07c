package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"wscourse/tools/internal/lesson"
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

// TestLesson05Restart stops lesson 05's server after it has published
// 100 updates and starts it again on the same port, where seqs
// start over at 1: every panel must go on counting at once, the polls and
// the event stream because they send their epoch with their position and
// the new run answers another epoch's position as 0. Without it, a since
// or Last-Event-ID of the old run is "nothing yet" to the new one, and
// three transports stay silent until its seqs catch up.
func TestLesson05Restart(t *testing.T) {
	t.Parallel()
	srv := startLesson(t, 5, "-rate", "50") // as lesson05Flow: a busy browser on a loaded machine keeps up
	p := openPage(t, srv.URL+"/?interval=200")
	sse := openPage(t, srv.URL+"/?disable=ws")
	sse.waitText("status", "SSE: open")
	transports := []string{"poll", "longpoll", "sse", "ws"}
	for _, tr := range transports {
		p.waitFor(fmt.Sprintf("the %s panel to count 100 updates", tr), lesson05Counter(tr, "updates")+" >= 100")
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}

	// Five updates a second: the new run's seqs stay below the old one's,
	// which went past 100, for 20s, far longer than the rest of the test.
	srv2 := startLesson(t, 5, "-addr", srv.Addr, "-rate", "5")
	for _, tr := range transports {
		p.waitFor(fmt.Sprintf("the %s panel to show update 5 or later of the new run, whose seqs start again at 1, where the old run's went past 100: the page sends since (or Last-Event-ID) with its epoch, and the server answers another epoch's position as 0 (look at static/index.html, and the epoch in poll.go and sse.go)", tr),
			fmt.Sprintf(`(() => { const m = document.querySelector('[data-transport="%s"] .price').textContent.match(/#(\d+)/); return !!m && Number(m[1]) >= 5 && Number(m[1]) < 100; })()`, tr))
	}
	sse.waitFor("the SSE fallback client to log updates 5 and on of the new run, whose seqs start again at 1 (look at static/index.html: followSSE, and sse.go)",
		`(() => { const l = [...document.querySelectorAll("#log .received")].pop(); const m = l && l.textContent.match(/#(\d+) /); return !!m && Number(m[1]) >= 5 && Number(m[1]) < 100; })()`)
	if err := srv2.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestLesson05Backoff serves lesson 05's page from a server whose /longpoll
// fails, and counts the long-poll panel's requests: the page must back off,
// each retry later than the one before, never a tight loop that a failing
// server gets from every open page at once; and once an answer comes, it
// starts over from the shortest wait.
func TestLesson05Backoff(t *testing.T) {
	t.Parallel()
	requireBrowser(t)
	root, err := lesson.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	l, err := lesson.Find(root, 5)
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(l.Dir, "static", "index.html"))
	if err != nil {
		t.Fatal(err)
	}

	requests := make(chan time.Time, 10000) // one a /longpoll request
	var answerOnce atomic.Bool              // the next /longpoll is answered, then they fail again
	done := make(chan struct{})             // ends the event streams
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html)
	})
	mux.HandleFunc("GET /poll", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"updates":[],"next":%s}`, r.URL.Query().Get("since"))
	})
	mux.HandleFunc("GET /longpoll", func(w http.ResponseWriter, r *http.Request) {
		select {
		case requests <- time.Now():
		default:
		}
		w.Header().Set("Content-Type", "application/json")
		if answerOnce.CompareAndSwap(true, false) {
			fmt.Fprintf(w, `{"updates":[],"next":%s}`, r.URL.Query().Get("since"))
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"error":"test: the server is failing"}`)
	})
	// An event stream that stays open, so that the fallback client uses it
	// and the only long-poll is the panel's.
	mux.HandleFunc("GET /sse", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-done:
		}
	})
	srv := httptest.NewServer(mux) // /ws: 404, the panel retries
	t.Cleanup(func() {
		close(done)
		srv.CloseClientConnections()
		srv.Close()
	})

	p := openPage(t, srv.URL+"/")
	p.waitText("status", "SSE: open")

	// While it fails: at most a few requests in a window, further and
	// further apart. With backoff from 300ms (each wait between half and
	// all of 300ms, 600ms, 1.2s, 2.4s...), 4 or 5 come in 3s.
	const window, most = 3 * time.Second, 6
	var times []time.Time
	end := time.NewTimer(window)
	defer end.Stop()
	for counting := true; counting; {
		select {
		case at := <-requests:
			times = append(times, at)
			if len(times) > most {
				t.Fatalf("while /longpoll failed with 503, the page's long-poll made %d requests in %v; want at most %d in %v: after a failure, wait before asking again, longer after each failure in a row, with jitter, as lesson 04's page reconnects; a retry at once is a tight loop that every open page points at a failing server (look at static/index.html: runLongPoll)\n%s",
					len(times), times[len(times)-1].Sub(times[0]).Round(time.Millisecond), most, window, p.shows())
			}
		case <-end.C:
			counting = false
		}
	}
	if len(times) < 4 {
		t.Fatalf("while /longpoll failed with 503, the page's long-poll made %d requests in %v; want it to retry, after 150ms to 300ms at first (look at static/index.html: runLongPoll)\n%s", len(times), window, p.shows())
	}
	gaps := make([]time.Duration, len(times)-1)
	for i := range gaps {
		gaps[i] = times[i+1].Sub(times[i]).Round(time.Millisecond)
	}
	if gaps[2] <= gaps[0] {
		t.Fatalf("while /longpoll failed with 503, the page's long-poll retried after %v; want each wait longer than the one before (exponential backoff: about 300ms, then twice as long each time, up to 10s) (look at static/index.html: runLongPoll)\n%s", gaps, p.shows())
	}
	t.Logf("the long-poll's retries while the server failed: %v apart", gaps)

	// One answer, then failures again: the next wait is the shortest.
	answerOnce.Store(true)
	var answered, failed time.Time
	for failed.IsZero() {
		select {
		case at := <-requests:
			if answered.IsZero() {
				answered = at // the retry that is answered
			} else {
				failed = at // the request right after the answer, which fails
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the page's long-poll made no request within 5s (look at static/index.html: runLongPoll)\n%s", p.shows())
		}
	}
	select {
	case at := <-requests:
		if wait := at.Sub(failed); wait > time.Second {
			t.Fatalf("after an answer and one failure, the page's long-poll waited %v; want the backoff started over (150ms to 300ms): reset the count of failures when an answer comes (look at static/index.html: runLongPoll)\n%s", wait.Round(time.Millisecond), p.shows())
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("after an answer and one failure, the page's long-poll made no request within 5s; want one after 150ms to 300ms: reset the count of failures when an answer comes (look at static/index.html: runLongPoll)\n%s", p.shows())
	}
}
