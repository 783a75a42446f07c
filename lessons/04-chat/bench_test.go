package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"wscourse/lessons/04-chat/internal/loadtest"
)

// The load of BenchmarkChatLoad, set after -args:
//
//	go test -run '^$' -bench ChatLoad -benchtime 1x -args -load.clients 1000
var (
	loadClients  = flag.Int("load.clients", 1000, "BenchmarkChatLoad: clients, spread evenly over the rooms")
	loadRooms    = flag.Int("load.rooms", 50, "BenchmarkChatLoad: rooms")
	loadRate     = flag.Float64("load.rate", 1, "BenchmarkChatLoad: messages a second each client sends")
	loadDuration = flag.Duration("load.duration", 10*time.Second, "BenchmarkChatLoad: how long they send")
)

// BenchmarkChatLoad runs the server in this process and a load test against
// it (internal/loadtest): every member of every room must get every message
// of its room once, in order. Run it once (-benchtime 1x): each iteration is
// a whole load test. Clients and server share this process, and its memory
// figures are theirs together.
func BenchmarkChatLoad(b *testing.B) {
	ts := startServer(b)
	var mem runtime.MemStats
	var goroutines int
	cfg := loadtest.Config{Addrs: []string{ts.addr}, Clients: *loadClients, Rooms: *loadRooms, Rate: *loadRate, Duration: *loadDuration,
		Loaded: func() {
			runtime.ReadMemStats(&mem)
			goroutines = runtime.NumGoroutine()
		}}
	for b.Loop() {
		res, err := loadtest.Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Print(res.Table(fmt.Sprintf("process (server and clients) heap in use %d MiB, from the OS %d MiB, %d goroutines",
			mem.HeapInuse>>20, mem.Sys>>20, goroutines)))
		if res.Lost > 0 || res.Dups > 0 {
			b.Errorf("%d deliveries lost, %d duplicated; want none (look at room.go)", res.Lost, res.Dups)
		}
		b.ReportMetric(float64(res.Latency.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(res.Latency.P99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(res.Expected)/cfg.Duration.Seconds(), "deliveries/s")
	}
}
