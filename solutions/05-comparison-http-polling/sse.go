package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// serveSSE answers GET /sse?epoch=E with a stream of Server-Sent Events, one
// per update, whose id is the update's seq. It starts with the next update,
// or, when the browser reconnects with the Last-Event-ID of the last event it
// saw, with the kept updates after that one (all of them when E is another
// run's). It ends when the client goes away or the server shuts down.
func (s *server) serveSSE(w http.ResponseWriter, r *http.Request) {
	next := s.updates.latest()
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{
				"error": fmt.Sprintf("Last-Event-ID must be the seq of an update, got %q", id)})
			return
		}
		next = n
		if !s.sameEpoch(r.URL.Query().Get("epoch")) {
			next = 0
		}
	}
	// The stream outlives serve.go's WriteTimeout (10s), past which every
	// write fails: a write deadline is set before each write instead. (Its
	// ReadTimeout does not matter: net/http clears it once a GET is read.)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	// Comments keep proxies from closing a quiet stream, and find a client
	// that has gone without a word.
	keepalive := time.NewTicker(s.cfg.pingPeriod)
	defer keepalive.Stop()
	for {
		ups, news := s.updates.since(next)
		rc.SetWriteDeadline(time.Now().Add(s.cfg.writeWait))
		for _, u := range ups {
			data, _ := json.Marshal(u)
			fmt.Fprintf(w, "id: %d\ndata: %s\n\n", u.Seq, data)
			next = u.Seq
		}
		// net/http buffers what a handler writes: without a flush the
		// events wait until kilobytes have piled up (and the headers with them).
		if err := rc.Flush(); err != nil {
			return // the client has gone
		}
		select {
		case <-news:
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n") // buffered; the flush above sends it, under a deadline
		case <-r.Context().Done():
			return
		case <-s.closing.Done():
			return // ends the stream; the browser reconnects with Last-Event-ID
		}
	}
}
