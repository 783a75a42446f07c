package main

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// epochHint is what a client that comes back after a restart needs.
const epochHint = "seqs start again at 1 when the server restarts, so a since given with another epoch than s.epoch counts updates of another run: answer it as since=0, everything kept; no epoch, or an empty one, means this run's"

// testEpochs asks path (/poll or /longpoll) with since and epoch in every
// form, of a server that has published updates 1 to 5. The long-poll's
// timeout is short: one that waits for a since of another run answers with
// nothing, and the test says why.
func testEpochs(t *testing.T, path, file string) {
	h := startHooked(t, serveTimeout, "-longpoll-timeout", "1s")
	require.NotEmptyf(t, h.epoch, "the server's epoch is empty; want main.go's newEpoch (look at main.go: newServer)")
	h.publishN(5)
	for _, tc := range []struct {
		query       string
		first, last uint64
		why         string
	}{
		{"since=3&epoch=" + h.epoch, 4, 5, "this run's epoch: the updates after since"},
		{"since=3", 4, 5, "no epoch means this run's"},
		{"since=3&epoch=", 4, 5, "an empty epoch means this run's"},
		{"since=3&epoch=another-run", 1, 5, "another run's epoch: since counts as 0"},
		{"since=5&epoch=another-run", 1, 5, "another run's epoch, since at this run's latest: since counts as 0"},
		{"since=1000&epoch=another-run", 1, 5, "another run's epoch, since beyond this run's latest (the old run went further): since counts as 0, not nothing yet"},
		{"epoch=another-run&since=3", 1, 5, "the parameters in either order"},
		{"since=0&epoch=another-run", 1, 5, "since=0 with another run's epoch"},
		{"epoch=another-run", 1, 5, "an epoch without since"},
		{"since=3&epoch=" + url.QueryEscape(h.epoch+" "), 1, 5, "an epoch that only starts like this run's is another"},
	} {
		p := path + "?" + tc.query
		a := pollAnswerOf(t, p, file, get(t, h.ts, p, file))
		assert.Equalf(t, h.epoch, a.Epoch, "GET %s: the answer's epoch is %q; want the server's, %q, in every answer, so the client can send it with next (look at %s: s.epoch)", p, a.Epoch, h.epoch, file)
		assert.Truef(t, isRun(a.Updates, tc.first, tc.last), "GET %s of a server (epoch %q) at updates 1 to 5: got %s; want %d to %d: %s. (%s) (look at %s)", p, h.epoch, seqRange(a.Updates), tc.first, tc.last, tc.why, epochHint, file)
		assert.Equalf(t, tc.last, a.Next, "GET %s of a server at updates 1 to 5: next is %d; want %d, the seq of the last update answered: %s (look at %s)", p, a.Next, tc.last, tc.why, file)
	}
	for _, bad := range []string{"since=abc&epoch=another-run", "since=-1&epoch=" + h.epoch} {
		p := path + "?" + bad
		requireJSONError(t, p, file, get(t, h.ts, p, file))
	}

	// Every start has its own epoch, and its answers carry it.
	h2 := startHooked(t, serveTimeout, "-longpoll-timeout", "1s")
	h2.publishN(1)
	a := pollAnswerOf(t, path+"?since=0", file, get(t, h2.ts, path+"?since=0", file))
	assert.NotEqualf(t, h.epoch, a.Epoch, "two servers started one after the other: GET %s?since=0 of the second answered epoch %q, the first's; want each run's own, s.epoch (look at %s)", path, a.Epoch, file)
}
