package main

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tickFile = "tick.go (publishTicks)"

func TestTicks(t *testing.T) {
	checkNoLeaks(t)

	t.Run("ticks in the contract's JSON, to every client", func(t *testing.T) {
		const every = 50 * time.Millisecond
		started := time.Now()
		ts := startHub(t, "-tick", every.String())
		requireBroadcast(t, ts)
		cs := []*wsClient{dial(t, ts, "client 0"), dial(t, ts, "client 1")}
		var seqs [2][]int
		var prices []float64 // client 0's
		for i, c := range cs {
			for len(seqs[i]) < 6 {
				e, ok := c.next(readTimeout)
				require.Truef(t, ok, "-tick %v: %s got %d ticks, then nothing within %v; want a tick every %v (look at %s)", every, c.name, len(seqs[i]), readTimeout, every, tickFile)
				require.Equalf(t, websocket.TextMessage, e.typ, "-tick %v: %s got %s; want a tick, a text message (look at %s)", every, c.name, e, tickFile)
				seq, price := checkTick(t, c.name, e.data)
				if i == 0 {
					prices = append(prices, price)
				}
				if n := len(seqs[i]); n > 0 {
					require.Equalf(t, seqs[i][n-1]+1, seq, "%s: a tick with seq %d came after seq %d; want seq to count the ticks one by one (look at %s)", c.name, seq, seqs[i][n-1], tickFile)
				}
				seqs[i] = append(seqs[i], seq)
			}
		}
		// The first client connected within a tick or two of the start.
		most := 1 + int(time.Since(started)/every)
		first := seqs[0][0]
		assert.Truef(t, first >= 1 && first <= most, "client 0's first tick has seq %d, %v after the server started with -tick %v; want seq to count ticks from 1, so at most %d by now (look at %s)", first, time.Since(started).Round(time.Millisecond), every, most, tickFile)
		checkPrices(t, prices)
		assert.Truef(t, slices.Contains(seqs[0], seqs[1][0]) || slices.Contains(seqs[1], seqs[0][0]), "client 0 got ticks %v, client 1 got %v; want the same ticks through the same hub (look at %s)", seqs[0], seqs[1], tickFile)
	})

	t.Run("-tick 0 publishes none", func(t *testing.T) {
		ts := startHub(t) // startHub adds -tick 0
		requireBroadcast(t, ts)
		c := dial(t, ts, "client")
		c.expectNothing(200*time.Millisecond, "with -tick 0, no tick", "main.go: run, which starts publishTicks only when -tick is positive")
	})
}

// checkPrices checks that consecutive ticks move the price by at most half a
// percent (and a cent of rounding), and that it moves at all: six equal
// prices in a row come about once in ten billion runs.
func checkPrices(t *testing.T, prices []float64) {
	t.Helper()
	moved := false
	for i := 1; i < len(prices); i++ {
		prev, p := prices[i-1], prices[i]
		assert.LessOrEqualf(t, math.Abs(p-prev), prev*0.005+0.01, "client 0 got prices %v; want each tick within half a percent of the one before (look at %s: nextPrice)", prices, tickFile)
		moved = moved || p != prev
	}
	assert.Truef(t, moved, "client 0 got %d ticks, all at price %v; want the price to move from tick to tick (look at %s)", len(prices), prices[0], tickFile)
}

// checkTick checks that data is a tick in the contract's shape and returns
// its seq and price.
func checkTick(t *testing.T, who, data string) (seq int, price float64) {
	t.Helper()
	var m map[string]any
	require.NoErrorf(t, json.Unmarshal([]byte(data), &m), "%s: got %s; want a tick, a JSON object (look at %s)", who, short(data), tickFile)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"price", "seq", "symbol", "time", "type"}
	require.Equalf(t, want, keys, "%s: got tick %s with keys %v; want exactly %v (look at %s)", who, data, keys, want, tickFile)
	require.Equalf(t, "tick", m["type"], "%s: got tick %s; want \"type\":\"tick\" (look at %s)", who, data, tickFile)

	n, ok := m["seq"].(float64)
	require.Truef(t, ok && n >= 1 && n == math.Trunc(n), "%s: got tick %s; want \"seq\" a whole number, counting ticks from 1 (look at %s)", who, data, tickFile)
	symbol, ok := m["symbol"].(string)
	require.Truef(t, ok && symbol != "", "%s: got tick %s; want \"symbol\" a string such as %q (look at %s)", who, data, tickSymbol, tickFile)
	price, ok = m["price"].(float64)
	require.Truef(t, ok && price > 0, "%s: got tick %s; want \"price\" a positive number (look at %s)", who, data, tickFile)
	require.Truef(t, math.Abs(price*100-math.Round(price*100)) < 1e-6, "%s: got price %v; want whole cents, at most two decimals (math.Round(p*100)/100) (look at %s)", who, price, tickFile)

	stamp, ok := m["time"].(string)
	require.Truef(t, ok, "%s: got tick %s; want \"time\" a string in RFC 3339 (look at %s)", who, data, tickFile)
	at, err := time.Parse(time.RFC3339Nano, stamp)
	require.NoErrorf(t, err, "%s: got time %q; want RFC 3339 with nanoseconds (time.RFC3339Nano) (look at %s)", who, stamp, tickFile)
	_, frac, _ := strings.Cut(strings.TrimRight(stamp[:strings.LastIndexAny(stamp, "Z+-")], "0"), ".")
	require.Truef(t, len(frac) > 3, "%s: got time %q; want it to nanoseconds, as time.RFC3339Nano gives it, not seconds or milliseconds (look at %s)", who, stamp, tickFile)
	require.WithinDurationf(t, time.Now(), at, 5*time.Second, "%s: got time %q; want the time the tick was made (look at %s)", who, stamp, tickFile)
	return int(n), price
}
