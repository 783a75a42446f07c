package main

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	"wscourse/lessons/05-comparison-http-polling/internal/compare"
)

// BenchmarkTransports measures each transport as `make bench` does, smaller
// and once: 20 clients, 10 updates a second, a 2s window. The server is this
// folder's, built and run as a child process, so that its CPU time is its
// own. Each figure is a metric; ns/op is the window and means nothing.
//
//	go test -run '^$' -bench Transports -benchtime 1x
func BenchmarkTransports(b *testing.B) {
	ctx := context.Background()
	bin, err := compare.Build(ctx, ".", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	srv, err := compare.Start(ctx, bin, io.Discard, "-rate", "10")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	time.Sleep(time.Second) // the first updates, for the sizes
	sizes, err := compare.MeasureSizes(ctx, srv.Addr)
	if err != nil {
		b.Fatal(err)
	}
	cfg := compare.Config{Addr: srv.Addr, Clients: 20, Warmup: 500 * time.Millisecond, Window: 2 * time.Second,
		CPU: srv.CPU, ClientCPU: compare.SelfCPU}
	for _, m := range []compare.Mode{
		{Kind: "poll", Interval: 100 * time.Millisecond}, {Kind: "poll", Interval: time.Second},
		{Kind: "longpoll"}, {Kind: "sse"}, {Kind: "ws"},
	} {
		b.Run("mode="+m.Name(), func(b *testing.B) {
			var res compare.Result
			for b.Loop() {
				if res, err = compare.Measure(ctx, cfg, m); err != nil {
					b.Fatal(err)
				}
			}
			s := compare.Summarize([]compare.Result{res})
			p := compare.Predict(m, sizes, 10, cfg.Clients, runtime.NumCPU(), s.CPUTotal())
			b.ReportMetric(s.PerSecond, "updates/s")
			b.ReportMetric(s.Fraction, "delivered")
			b.ReportMetric(s.P50*1e3, "p50-ms")
			b.ReportMetric(s.P99*1e3, "p99-ms")
			b.ReportMetric(s.Down, "B-down/update")
			b.ReportMetric(s.Up, "B-up/update")
			b.ReportMetric(s.Requests, "requests/update")
			if s.Segments >= 0 {
				b.ReportMetric(s.Segments, "segments/update")
				b.ReportMetric(s.Wire, "wire-B/update")
			}
			b.ReportMetric(s.CPU*1e6, "server-µs/update")
			b.ReportMetric(p.Down+p.Up, "predicted-B/update")
		})
	}
}
