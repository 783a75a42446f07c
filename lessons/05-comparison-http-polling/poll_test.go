package main

import (
	"fmt"
	"net/url"
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
		assert.Equalf(t, n+1, a.Updates[0].Seq, "GET %s: the first update has seq %d; want %d, the one after since (look at %s)", path, a.Updates[0].Seq, n+1, file)
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

	for _, bad := range badSince {
		t.Run("since="+bad+": 400", func(t *testing.T) {
			path := "/poll?since=" + url.QueryEscape(bad)
			requireJSONError(t, path, file, get(t, ts, path, file))
		})
	}
}
