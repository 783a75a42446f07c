package main

import "net/http"

// pollAnswer is what /poll and /longpoll answer: the updates after since,
// and the since and epoch to ask with next time.
type pollAnswer struct {
	Epoch   string   `json:"epoch"`
	Updates []update `json:"updates"`
	Next    uint64   `json:"next"`
}

// servePoll answers GET /poll?since=N&epoch=E at once with the kept updates
// after N.
//
// TODO: TestPoll. Answer {"epoch":E,"updates":[...],"next":M} as
// application/json: E the server's epoch (s.epoch), the updates after since,
// M the seq of the last one answered (not the store's latest, which may be
// newer by now), or since itself when there are none ("updates":[] then,
// never null). since is a uint64, as seq is. No since means 0. A since that
// is not a non-negative integer gets 400 with {"error":"one-line reason"}.
// Tell caches not to keep the answer.
//
// TODO: TestPoll. A since given with an epoch that is not s.epoch counts
// seqs of another run of the server, which started over at 1 since: answer
// it as since=0. No epoch, or an empty one, means this run's.
func (s *server) servePoll(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "/poll is not written yet: see the TODOs in poll.go", http.StatusNotImplemented)
}

// serveLongPoll answers GET /longpoll?since=N&epoch=E as /poll does as soon as there
// is an update after N, and with no updates after s.longpollTimeout.
//
// TODO: TestLongPoll. Answer at once when there are updates after since,
// all of them; otherwise wait on the channel that came with them, then look
// again, until the timeout (s.longpollTimeout), the client going away
// (r.Context()) or the server shutting down (s.closing), all in one select.
// No sleeping loop, and nothing left behind when the client goes. The wait
// outlives serve.go's WriteTimeout of 10s: set a write deadline of
// s.cfg.writeWait when the answer is written (http.ResponseController).
//
// TODO: TestShutdown. When s.closing is done, answer at once with no updates.
func (s *server) serveLongPoll(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "/longpoll is not written yet: see the TODOs in poll.go", http.StatusNotImplemented)
}
