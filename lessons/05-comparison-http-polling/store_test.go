package main

import (
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStore(t *testing.T) {
	checkNoLeaks(t)
	st := newStore("first-run")
	ups, _ := st.since(0)
	require.Emptyf(t, ups, "a new store: since(0) returned %s; want none (look at store.go)", plural(len(ups), "update"))
	require.Zerof(t, st.latest(), "a new store: latest() = %d; want 0 (look at store.go)", st.latest())

	at := time.Date(2026, 11, 28, 12, 0, 0, 123, time.UTC)
	u := st.publish("GOPH", 101.25, at)
	want := update{Epoch: "first-run", Seq: 1, Symbol: "GOPH", Price: 101.25, Sent: at.UnixNano()}
	require.Equalf(t, want, u, "the first publish of newStore(\"first-run\") returned %+v; want %+v: the store's epoch; seq starts at 1; sent is the time in Unix nanoseconds (look at store.go)", u, want)
	for i := 2; i <= 5; i++ {
		u := st.publish("CHAN", float64(i), at)
		require.Equalf(t, uint64(i), u.Seq, "publish number %d returned seq %d; want %d: one more each time (look at store.go)", i, u.Seq, i)
		require.Equalf(t, "first-run", u.Epoch, "publish number %d of newStore(\"first-run\") returned epoch %q; want every update stamped with the store's epoch (look at store.go)", i, u.Epoch)
	}
	other := newStore("second-run").publish("GOPH", 1, at)
	require.Equalf(t, "second-run", other.Epoch, "the first publish of newStore(\"second-run\"), beside one of \"first-run\", returned epoch %q; want each store's own epoch, kept in the store, not in a variable they share (look at store.go)", other.Epoch)
	require.Equalf(t, uint64(5), st.latest(), "after 5 publishes, latest() = %d; want 5 (look at store.go)", st.latest())

	t.Run("since", func(t *testing.T) {
		for _, tc := range []struct {
			n           uint64
			first, last uint64 // 0, 0: none
		}{
			{0, 1, 5}, {1, 2, 5}, {4, 5, 5}, {5, 0, 0}, {6, 0, 0}, {1000, 0, 0}, {math.MaxUint64, 0, 0},
		} {
			ups, _ := st.since(tc.n)
			if tc.first == 0 {
				assert.Emptyf(t, ups, "after updates 1 to 5, since(%d) returned %s; want none: since is the last seq the client has (look at store.go)", tc.n, seqRange(ups))
				continue
			}
			assert.Truef(t, isRun(ups, tc.first, tc.last), "after updates 1 to 5, since(%d) returned %s; want %d to %d: the updates after n, oldest first (look at store.go)", tc.n, seqRange(ups), tc.first, tc.last)
		}
	})

	t.Run("news closes at the next publish", func(t *testing.T) {
		_, news := st.since(5)
		require.NotNilf(t, news, "since returned a nil channel; want one that is closed at the next publish, for waiting without spinning (look at store.go)")
		select {
		case <-news:
			require.FailNow(t, "since(5) gave a channel that is already closed, before any new update; want it closed at the next publish, or a waiter spins (look at store.go)")
		default:
		}
		st.publish("MUTX", 1, at)
		select {
		case <-news:
		default:
			require.FailNow(t, "the channel since gave was still open after the next publish; want it closed, so that every waiter wakes (look at store.go)")
		}
		_, again := st.since(6)
		select {
		case <-again:
			require.FailNow(t, "after a publish, since(6) gave a channel that is already closed; want a new one for the next publish (look at store.go)")
		default:
		}
	})

	t.Run("keeps the last 1000", func(t *testing.T) {
		st := newStore("test")
		for range 1500 {
			st.publish("CTXT", 1, at)
		}
		ups, _ := st.since(0)
		require.Truef(t, isRun(ups, 501, 1500), "after 1500 publishes, since(0) returned %s; want 501 to 1500: the last 1000, oldest first (look at store.go)", seqRange(ups))
		ups, _ = st.since(1200)
		require.Truef(t, isRun(ups, 1201, 1500), "after 1500 publishes, since(1200) returned %s; want 1201 to 1500 (look at store.go)", seqRange(ups))
	})

	t.Run("keeps the last 1000, at the edges", func(t *testing.T) {
		for _, published := range []uint64{999, 1000, 1001, 2000, 2500} {
			st := newStore("test")
			for range published {
				st.publish("GOPH", 1, at)
			}
			first := max(1, published-keep+1) // the oldest kept
			for _, tc := range []struct {
				n           uint64
				first, last uint64 // 0, 0: none
			}{
				{0, first, published}, {first - 1, first, published}, {first, first + 1, published},
				{published - 1, published, published}, {published, 0, 0}, {published + 1, 0, 0},
			} {
				ups, _ := st.since(tc.n)
				if tc.first == 0 {
					assert.Emptyf(t, ups, "after %d publishes, since(%d) returned %s; want none (look at store.go)", published, tc.n, seqRange(ups))
					continue
				}
				assert.Truef(t, isRun(ups, tc.first, tc.last), "after %d publishes, since(%d) returned %s; want %d to %d: the last 1000 are kept, oldest first; with a ring, seq s lives at (s-1)%%keep (look at store.go)", published, tc.n, seqRange(ups), tc.first, tc.last)
			}
			assert.Equalf(t, published, st.latest(), "after %d publishes, latest() = %d (look at store.go)", published, st.latest())
		}
	})

	t.Run("memory stays bounded", func(t *testing.T) {
		st := newStore("test")
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range 100_000 {
			st.publish("GOPH", 1, at)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		assert.Lessf(t, grown, int64(4<<20), "after 100000 publishes the heap grew by %d KiB; want the store to hold only the last 1000 updates (a ring, or a slice whose old part is let go) (look at store.go)", grown>>10)
		runtime.KeepAlive(st)
	})

	t.Run("publish and since at once", func(t *testing.T) {
		st := newStore("test")
		var wg sync.WaitGroup
		wg.Go(func() {
			for range 500 {
				st.publish("GOPH", 1, at)
			}
		})
		for range 500 {
			ups, _ := st.since(st.latest() / 2)
			for i := 1; i < len(ups); i++ {
				require.Equalf(t, ups[i-1].Seq+1, ups[i].Seq, "since during publishes returned %s with a gap; want every kept update in order: hold the lock (look at store.go)", seqRange(ups))
			}
		}
		wg.Wait()
	})
}

// isRun reports whether ups are exactly the updates first to last, in order.
func isRun(ups []update, first, last uint64) bool {
	if uint64(len(ups)) != last-first+1 {
		return false
	}
	for i, u := range ups {
		if u.Seq != first+uint64(i) {
			return false
		}
	}
	return true
}

// seqRange describes updates briefly: "none", "3 updates: seq 4 to 6".
func seqRange(ups []update) string {
	if len(ups) == 0 {
		return "none"
	}
	return plural(len(ups), "update") + ": seq " + itoa(ups[0].Seq) + " to " + itoa(ups[len(ups)-1].Seq)
}
