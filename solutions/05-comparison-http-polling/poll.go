package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// pollAnswer is what /poll and /longpoll answer: the updates after since,
// and the since and epoch to ask with next time.
type pollAnswer struct {
	Epoch   string   `json:"epoch"`
	Updates []update `json:"updates"`
	Next    uint64   `json:"next"`
}

// answer makes the pollAnswer for updates found after since: next is the
// last one's seq, or since itself when there are none.
func (s *server) answer(ups []update, since uint64) pollAnswer {
	if len(ups) == 0 {
		return pollAnswer{Epoch: s.epoch, Updates: []update{}, Next: since} // [] in JSON, not null
	}
	return pollAnswer{Epoch: s.epoch, Updates: ups, Next: ups[len(ups)-1].Seq}
}

// servePoll answers GET /poll?since=N&epoch=E at once with the kept updates
// after N.
func (s *server) servePoll(w http.ResponseWriter, r *http.Request) {
	since, err := s.parseSince(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	ups, _ := s.updates.since(since)
	writeJSON(w, http.StatusOK, s.answer(ups, since))
}

// serveLongPoll answers GET /longpoll?since=N&epoch=E as /poll does as soon as there
// is an update after N, and with no updates after s.longpollTimeout. It
// returns early when the client goes away, and answers at once, with what
// there is, when the server shuts down.
func (s *server) serveLongPoll(w http.ResponseWriter, r *http.Request) {
	since, err := s.parseSince(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	// serve.go's WriteTimeout (10s) is for requests that answer at once: a
	// write past it fails, and this answer may come 25s after the request.
	// So the write deadline is set when the answer is written. (Its
	// ReadTimeout does not matter: net/http clears it once a GET is read.)
	rc := http.NewResponseController(w)
	reply := func(ups []update) {
		rc.SetWriteDeadline(time.Now().Add(s.cfg.writeWait))
		writeJSON(w, http.StatusOK, s.answer(ups, since))
	}

	timeout := time.NewTimer(s.longpollTimeout)
	defer timeout.Stop()
	for {
		ups, news := s.updates.since(since)
		if len(ups) > 0 {
			reply(ups)
			return
		}
		select {
		case <-news: // published: look again
		case <-timeout.C:
			reply(nil)
			return
		case <-s.closing.Done():
			reply(nil)
			return
		case <-r.Context().Done():
			return // the client went away: nobody to answer
		}
	}
}

// parseSince reads the since parameter: a non-negative integer, 0 when it is
// absent. A since given with another epoch than this run's counts seqs that
// started over since: it is 0 too, and the client gets everything kept.
func (s *server) parseSince(r *http.Request) (uint64, error) {
	q := r.URL.Query()
	v, ok := q["since"]
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseUint(v[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("since must be a non-negative integer (the next of the last answer, or 0), got %q", v[0])
	}
	if !s.sameEpoch(q.Get("epoch")) {
		return 0, nil
	}
	return n, nil
}

// sameEpoch reports whether a client's epoch is this run's; a client that
// gives none means this run's.
func (s *server) sameEpoch(epoch string) bool {
	return epoch == "" || epoch == s.epoch
}

// writeJSON answers with v as JSON. Nothing may cache it: the next poll
// must reach the server.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) // a failed write means the client has gone
}
