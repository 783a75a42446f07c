package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoll(t *testing.T) {
	checkNoLeaks(t)
	ts := startServer(t, fast...)
	const file = "poll.go (servePoll)"
	latest := waitForSeq(t, ts, 3)

	t.Run("since=0 gives every kept update", func(t *testing.T) {
		a := pollAnswerOf(t, "/poll?since=0", file, get(t, ts, "/poll?since=0", "poll.go (servePoll)"))
		require.NotEmptyf(t, a.Updates, "GET /poll?since=0 after update %d: no updates; want every kept one (look at %s)", latest, file)
		assert.Equalf(t, uint64(1), a.Updates[0].Seq, "GET /poll?since=0: the first update has seq %d; want 1, the oldest kept (look at %s)", a.Updates[0].Seq, file)
		assert.Equalf(t, a.Updates[len(a.Updates)-1].Seq, a.Next, "GET /poll?since=0: next is %d, the last update %d; want next = the seq of the last update returned (look at %s)", a.Next, a.Updates[len(a.Updates)-1].Seq, file)
	})

	t.Run("since=N gives the updates after N", func(t *testing.T) {
		n := latest - 2
		path := fmt.Sprintf("/poll?since=%d", n)
		a := pollAnswerOf(t, path, file, get(t, ts, path, file))
		require.NotEmptyf(t, a.Updates, "GET %s after update %d: no updates; want %d and on (look at %s)", path, latest, n+1, file)
		assert.Equalf(t, n+1, a.Updates[0].Seq, "GET %s: the first update has seq %d; want %d, the one after since: a since without an epoch is this run's (look at %s)", path, a.Updates[0].Seq, n+1, file)
		assert.Equalf(t, a.Updates[len(a.Updates)-1].Seq, a.Next, "GET %s: next is %d; want the seq of the last update returned, %d (look at %s)", path, a.Next, a.Updates[len(a.Updates)-1].Seq, file)
	})

	t.Run("since beyond the latest: none yet", func(t *testing.T) {
		n := latest + 1_000_000
		path := fmt.Sprintf("/poll?since=%d", n)
		a := pollAnswerOf(t, path, file, get(t, ts, path, file))
		assert.Emptyf(t, a.Updates, "GET %s: got %s; want none: nothing after %d yet (look at %s)", path, seqRange(a.Updates), n, file)
		assert.Equalf(t, n, a.Next, "GET %s: next is %d; want %d, since itself when there are no updates, so the client asks the same again (look at %s)", path, a.Next, n, file)
	})

	t.Run("no since means 0", func(t *testing.T) {
		a := pollAnswerOf(t, "/poll", file, get(t, ts, "/poll", file))
		assert.NotEmptyf(t, a.Updates, "GET /poll without since: no updates; want the same as since=0 (look at %s)", file)
	})

	t.Run("since at its edges", func(t *testing.T) {
		h := startHooked(t, serveTimeout)
		latest := h.publishN(5)
		for _, tc := range []struct {
			since       string
			first, last uint64 // 0, 0: none
			why         string
		}{
			{"0", 1, 5, "since=0 is everything kept"},
			{"4", 5, 5, "the updates after since"},
			{"5", 0, 0, "since is the latest: nothing new"},
			{"6", 0, 0, "since beyond the latest is valid: nothing yet"},
			{"9223372036854775807", 0, 0, "the largest int64 is a non-negative integer"},
			{"9223372036854775808", 0, 0, "beyond int64 is still a non-negative integer: since is a uint64, as seq is"},
			{"18446744073709551615", 0, 0, "the largest uint64: mind since+1 overflowing to 0"},
		} {
			path := "/poll?since=" + tc.since
			g := get(t, h.ts, path, file)
			require.Equalf(t, http.StatusOK, g.status, "GET %s after updates 1 to %d: got status %d, body %q; want 200: %s (look at %s)", path, latest, g.status, g.body, tc.why, file)
			a := pollAnswerOf(t, path, file, g)
			want, _ := strconv.ParseUint(tc.since, 10, 64)
			if tc.first != 0 {
				assert.Truef(t, isRun(a.Updates, tc.first, tc.last), "GET %s after updates 1 to %d: got %s; want %d to %d: %s (look at %s)", path, latest, seqRange(a.Updates), tc.first, tc.last, tc.why, file)
				want = tc.last
			} else {
				assert.Emptyf(t, a.Updates, "GET %s after updates 1 to %d: got %s; want none: %s (look at %s)", path, latest, seqRange(a.Updates), tc.why, file)
			}
			assert.Equalf(t, want, a.Next, "GET %s after updates 1 to %d: next is %d; want %d: %s (look at %s)", path, latest, a.Next, want, tc.why, file)
		}
	})

	t.Run("since with an epoch", func(t *testing.T) { testEpochs(t, "/poll", file) })

	t.Run("the last 1000 kept", func(t *testing.T) {
		h := startHooked(t, serveTimeout)
		for _, published := range []uint64{1001, 2500} { // TestStore has the other edges
			h.publishN(int(published - h.st.latest()))
			first := max(1, published-keep+1)
			for _, since := range []uint64{0, first, published - 1} {
				path := "/poll?since=" + itoa(since)
				a := pollAnswerOf(t, path, file, get(t, h.ts, path, file))
				from := max(since+1, first)
				assert.Truef(t, isRun(a.Updates, from, published), "GET %s after %d updates: got %s; want %d to %d: every kept update after since, and the last 1000 are kept (look at %s and store.go)", path, published, seqRange(a.Updates), from, published, file)
			}
		}
	})

	t.Run("next is the last update answered, though another came meanwhile", func(t *testing.T) {
		h := startHooked(t, serveTimeout)
		h.publishN(3)
		h.st.arm() // the handler's look publishes update 4 right after it
		a := pollAnswerOf(t, "/poll?since=0", file, get(t, h.ts, "/poll?since=0", file))
		require.NotEmptyf(t, a.Updates, "GET /poll?since=0 after updates 1 to 3: no updates (look at %s)", file)
		last := a.Updates[len(a.Updates)-1].Seq
		assert.Equalf(t, last, a.Next, "GET /poll?since=0: got %s and next %d, with update %d published right after the handler's look (since); want next %d, the seq of the last update answered: a next taken from latest() skips the update published in between, and the client never gets it (look at %s)", seqRange(a.Updates), a.Next, h.st.fired.Load(), last, file)
	})

	for _, bad := range badSince {
		t.Run("since="+bad+": 400", func(t *testing.T) {
			path := "/poll?since=" + url.QueryEscape(bad)
			requireJSONError(t, path, file, get(t, ts, path, file))
		})
	}
}
