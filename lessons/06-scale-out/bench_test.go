package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"wscourse/lessons/06-scale-out/internal/loadtest"
)

// The load of BenchmarkChatLoad, set after -args:
//
//	go test -run '^$' -bench ChatLoad -benchtime 1x -args -load.clients 3000
var (
	loadInstances = flag.Int("load.instances", 3, "BenchmarkChatLoad: chat instances sharing one NATS server")
	loadClients   = flag.Int("load.clients", 3000, "BenchmarkChatLoad: clients, spread evenly over the rooms and the instances")
	loadRooms     = flag.Int("load.rooms", 100, "BenchmarkChatLoad: rooms")
	loadRate      = flag.Float64("load.rate", 1, "BenchmarkChatLoad: messages a second each client sends")
	loadDuration  = flag.Duration("load.duration", 10*time.Second, "BenchmarkChatLoad: how long they send")
)

// BenchmarkChatLoad runs a NATS server and the instances in this process and
// a load test against them (internal/loadtest): every member of every room,
// whichever instance it is on, must get every message of its room once, in
// order. Run it once (-benchtime 1x): each iteration is a whole load test.
func BenchmarkChatLoad(b *testing.B) {
	_, in := startInstances(b, *loadInstances)
	var addrs []string
	for _, ts := range in {
		addrs = append(addrs, ts.addr)
	}
	var mem runtime.MemStats
	cfg := loadtest.Config{Addrs: addrs, Clients: *loadClients, Rooms: *loadRooms, Rate: *loadRate, Duration: *loadDuration,
		Loaded: func() { runtime.ReadMemStats(&mem) }}
	for b.Loop() {
		res, err := loadtest.Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Print(res.Table(fmt.Sprintf("process (%d instances, NATS and the clients) heap in use %d MiB, from the OS %d MiB",
			len(addrs), mem.HeapInuse>>20, mem.Sys>>20)))
		if res.Lost > 0 || res.Dups > 0 {
			b.Errorf("%d deliveries lost, %d duplicated; want none (look at consume.go, deliver.go and post.go)", res.Lost, res.Dups)
		}
		b.ReportMetric(float64(res.Latency.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(res.Latency.P99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(res.Expected)/cfg.Duration.Seconds(), "deliveries/s")
	}
}
