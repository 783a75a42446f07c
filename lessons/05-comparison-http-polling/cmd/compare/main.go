// Command compare is `make bench`: it runs the lesson's server as a child
// process and measures short polling (at two intervals), long-polling,
// Server-Sent Events and WebSocket against it, with the same clients and the
// same update rate, the modes interleaved, several runs, and reports the
// median of each figure beside what first principles predict, the spread
// over the runs, and the server's memory per open connection. It writes the
// tables to OUT/table.md and a chart to OUT/chart.svg.
//
//	go run ./cmd/compare -out results          # your server, from the lesson folder
//	go run ./cmd/compare -with ../../solutions/05-comparison-http-polling -out results
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"wscourse/lessons/05-comparison-http-polling/internal/compare"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "compare:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	var (
		out     = fs.String("out", "results", "`folder` to write table.md and chart.svg to")
		dir     = fs.String("dir", ".", "the lesson `folder` whose server to build")
		with    = fs.String("with", "", "a `folder` of .go files (a solution) to lay over a copy of -dir before building")
		bin     = fs.String("server", "", "a built server `binary` to run instead of building -dir")
		clients = fs.Int("clients", 50, "clients per transport, each with its own connection")
		rate    = fs.Float64("rate", 10, "updates the server publishes per second (its -rate)")
		window  = fs.Duration("window", 5*time.Second, "how long each measurement lasts")
		warmup  = fs.Duration("warmup", time.Second, "how long the clients run before each measurement")
		runs    = fs.Int("runs", 3, "runs of every transport; the table shows medians")
		name    = fs.String("name", "", "what the tables call the server measured (default: the folder built)")
		memConn = fs.Int("mem-clients", 200, "connections held open to measure the server's memory per connection (0: not measured)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clients < 1 || *rate <= 0 || *runs < 1 || *window <= 0 || *warmup < 0 || *memConn < 0 {
		return errors.New("-clients, -rate, -runs and -window must be positive, and -mem-clients not negative")
	}
	every := time.Duration(float64(time.Second) / *rate)
	modes := []compare.Mode{
		{Kind: "poll", Interval: every}, // one update per poll, on average
		{Kind: "poll", Interval: 10 * every},
		{Kind: "longpoll"},
		{Kind: "sse"},
		{Kind: "ws"},
	}

	tmp, err := os.MkdirTemp("", "compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		src, _ := filepath.Abs(*dir)
		what := src
		if *with != "" {
			w, _ := filepath.Abs(*with)
			what = fmt.Sprintf("%s with %s laid over it", src, w)
			src = filepath.Join(tmp, "lesson")
			if err := compare.Stage(*dir, *with, src); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "building the server: %s\n", what)
		if *name == "" {
			*name = what
		}
		if *bin, err = compare.Build(ctx, src, tmp); err != nil {
			return err
		}
	}
	if *name == "" {
		*name = *bin
	}
	var serverLog bytes.Buffer
	srv, err := compare.Start(ctx, *bin, &serverLog, "-rate", fmt.Sprint(*rate))
	if err != nil {
		return fmt.Errorf("%v\n%s", err, serverLog.String())
	}
	defer srv.Stop()
	cfg := compare.Config{Addr: srv.Addr, Clients: *clients, Warmup: *warmup, Window: *window, CPU: srv.CPU, ClientCPU: compare.SelfCPU}
	if _, err := srv.CPU(); err != nil {
		cfg.CPU, cfg.ClientCPU = nil, nil
		fmt.Fprintf(stdout, "CPU time cannot be read here (%v): the CPU columns say n/a\n", err)
	}
	if err := compare.Sleep(ctx, time.Second); err != nil { // the first updates
		return err
	}
	sizes, err := compare.MeasureSizes(ctx, srv.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "server %s, -rate %v; %d clients per transport; %v windows after %v of warm-up; %d runs, transports interleaved\n",
		srv.Addr, *rate, *clients, *window, *warmup, *runs)
	fmt.Fprintf(stdout, "sizes: a poll request %d B (request line and %d browser headers), its answer's head %d B, the JSON envelope %d B, an update %d B, SSE framing %d B, WebSocket frame header %d B, IP and TCP headers %s a segment\n",
		sizes.Request, sizes.Headers, sizes.Response, sizes.Envelope, sizes.Update, sizes.SSE, sizes.WS, segmentBytes(sizes.Segment))
	perRun := time.Duration(len(modes)) * (*warmup + *window + 700*time.Millisecond)
	memTime := time.Duration(0)
	if *memConn > 0 {
		memTime = time.Duration(len(memModes)*2) * 4 * time.Second
	}
	fmt.Fprintf(stdout, "about %v to go\n", (time.Duration(*runs)*perRun + 10*every + memTime).Round(time.Second))

	results := make([][]compare.Result, len(modes))
	for r := range *runs {
		for k := range modes {
			i := (k + r) % len(modes) // each run starts with another mode
			res, err := compare.Measure(ctx, cfg, modes[i])
			if err != nil {
				return fmt.Errorf("%s: %w\nserver log:\n%s", modes[i].Name(), err, serverLog.String())
			}
			results[i] = append(results[i], res)
			fmt.Fprintf(stdout, "run %d/%d %-11s %6.0f updates/s, %5.1f%% delivered, p50 %s, %4.0f B/update (%4.0f B on the wire, %.2f segments), %.2f requests/update\n",
				r+1, *runs, modes[i].Name(), res.PerSecond(), 100*res.Fraction(), fmtSeconds(res.Quantile(0.5)),
				res.UpPerUpdate()+res.DownPerUpdate(), res.WirePerUpdate(), res.SegmentsPerUpdate(), res.RequestsPerUpdate())
		}
	}

	sums := make([]compare.Summary, len(modes))
	for i, rs := range results {
		sums[i] = compare.Summarize(rs)
	}
	for i := range sums {
		sums[i].Predicted = compare.Predict(sums[i].Mode, sizes, *rate, *clients, runtime.NumCPU(), sums[i].CPUTotal())
	}

	var mem []compare.Memory
	if *memConn > 0 {
		if mem, err = measureMemory(ctx, *bin, *memConn, *rate, stdout); err != nil {
			return err
		}
	}

	var table bytes.Buffer
	fmt.Fprintf(&table, "Server: %s. %d clients per transport, %v updates/s, %d runs of %v (medians), %d CPUs, %s/%s, %s.\n\n",
		*name, *clients, *rate, *runs, *window, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(&table, "Measured, and in brackets what first principles predict from inputs measured once beforehand: the sizes of one poll's request, answer head, envelope and update (SSE and WebSocket framing are worked out from them, not measured), a segment's IP and TCP headers (%s), and for the push transports' latency the CPU per update measured in these runs. Segments are counted by the kernel (TCP_INFO) on the clients' side, both ways.\n\n", segmentBytes(sizes.Segment))
	compare.WriteTable(&table, sums)
	fmt.Fprintf(&table, "\nSpread over the %d runs, lowest – highest:\n\n", *runs)
	compare.WriteSpread(&table, sums)
	if mem != nil {
		fmt.Fprintf(&table, "\nThe server's resident memory (RSS) per open connection, %d connections held on a fresh server: idle (one update every 100 s) and at %v updates/s. Polling holds no request open between polls.\n\n", *memConn, *rate)
		compare.WriteMemory(&table, mem, *rate)
	}
	fmt.Fprintf(stdout, "\n%s\n", table.String())

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "table.md"), table.Bytes(), 0o644); err != nil {
		return err
	}
	var svg bytes.Buffer
	compare.WriteSVG(&svg, sums, fmt.Sprintf("Latency against bytes per update: %d clients, %v updates/s", *clients, *rate))
	if err := os.WriteFile(filepath.Join(*out, "chart.svg"), svg.Bytes(), 0o644); err != nil {
		return err
	}
	abs, _ := filepath.Abs(*out)
	fmt.Fprintf(stdout, "wrote %s and %s\n", filepath.Join(abs, "table.md"), filepath.Join(abs, "chart.svg"))
	if strings.Contains(serverLog.String(), "panic") {
		return fmt.Errorf("the server panicked:\n%s", serverLog.String())
	}
	return nil
}

// memModes are the transports that hold a connection open for each client.
var memModes = []compare.Mode{{Kind: "longpoll"}, {Kind: "sse"}, {Kind: "ws"}}

// measureMemory starts a fresh server for each transport, idle and at rate,
// holds n connections of it open and reads the server's memory per
// connection.
func measureMemory(ctx context.Context, bin string, n int, rate float64, stdout io.Writer) ([]compare.Memory, error) {
	var out []compare.Memory
	for _, m := range memModes {
		mem := compare.Memory{Mode: m}
		for _, r := range []float64{0.01, rate} {
			per, err := memoryOnce(ctx, bin, n, m, r)
			if err != nil {
				return nil, fmt.Errorf("%s, memory at -rate %v: %w", m.Name(), r, err)
			}
			if r == rate {
				mem.Busy = per
			} else {
				mem.Idle = per
			}
			fmt.Fprintf(stdout, "memory %-8s -rate %-4v %d connections: %s each\n", m.Name(), r, n, compare.Kilobytes(per))
		}
		out = append(out, mem)
	}
	return out, nil
}

// memoryOnce is one transport's memory per connection on a server of its
// own, started for it; -1 when the system cannot tell.
func memoryOnce(ctx context.Context, bin string, n int, m compare.Mode, rate float64) (float64, error) {
	var log bytes.Buffer
	srv, err := compare.Start(ctx, bin, &log, "-rate", fmt.Sprint(rate))
	if err != nil {
		return 0, fmt.Errorf("%v\n%s", err, log.String())
	}
	defer srv.Stop()
	if _, err := srv.RSS(); err != nil {
		return -1, nil
	}
	cfg := compare.Config{Addr: srv.Addr, Clients: n, Warmup: 2 * time.Second}
	per, err := compare.MeasureMemory(ctx, cfg, m, srv.RSS)
	if err != nil {
		return 0, fmt.Errorf("%v\nserver log:\n%s", err, log.String())
	}
	return per, nil
}

func segmentBytes(b int) string {
	if b == 0 {
		return "unknown here"
	}
	return fmt.Sprintf("%d B", b)
}

func fmtSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(10 * time.Microsecond).String()
}
