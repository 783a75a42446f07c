// Command compare is `make bench`: it runs the lesson's server as a child
// process and measures short polling (at two intervals), long-polling,
// Server-Sent Events and WebSocket against it, with the same clients and the
// same update rate, the modes interleaved, several runs, and reports the
// median of each figure beside what first principles predict. It writes the
// table to OUT/table.md and a chart to OUT/chart.svg.
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
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clients < 1 || *rate <= 0 || *runs < 1 || *window <= 0 || *warmup < 0 {
		return errors.New("-clients, -rate, -runs and -window must be positive")
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
		if *bin, err = compare.Build(ctx, src, tmp); err != nil {
			return err
		}
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
	fmt.Fprintf(stdout, "sizes: a poll request %d B (request line and %d browser headers), its answer's head %d B, the JSON envelope %d B, an update %d B, SSE framing %d B, WebSocket frame header %d B\n",
		sizes.Request, sizes.Headers, sizes.Response, sizes.Envelope, sizes.Update, sizes.SSE, sizes.WS)
	perRun := time.Duration(len(modes)) * (*warmup + *window + 700*time.Millisecond)
	fmt.Fprintf(stdout, "about %v to go\n", (time.Duration(*runs)*perRun + 10*every).Round(time.Second))

	results := make([][]compare.Result, len(modes))
	for r := range *runs {
		for k := range modes {
			i := (k + r) % len(modes) // each run starts with another mode
			res, err := compare.Measure(ctx, cfg, modes[i])
			if err != nil {
				return fmt.Errorf("%s: %w\nserver log:\n%s", modes[i].Name(), err, serverLog.String())
			}
			results[i] = append(results[i], res)
			fmt.Fprintf(stdout, "run %d/%d %-11s %6.0f updates/s, %5.1f%% delivered, p50 %s, %4.0f B/update, %.2f requests/update\n",
				r+1, *runs, modes[i].Name(), res.PerSecond(), 100*res.Fraction(), fmtSeconds(res.Quantile(0.5)),
				res.UpPerUpdate()+res.DownPerUpdate(), res.RequestsPerUpdate())
		}
	}

	sums := make([]compare.Summary, len(modes))
	for i, rs := range results {
		sums[i] = compare.Summarize(rs)
	}
	for i := range sums {
		sums[i].Predicted = compare.Predict(sums[i].Mode, sizes, *rate, *clients, runtime.NumCPU(), sums[i].CPUTotal())
	}

	var table bytes.Buffer
	fmt.Fprintf(&table, "%d clients per transport, %v updates/s, %d runs of %v (medians), %d CPUs, %s/%s, %s. Measured, and in brackets what first principles predict.\n\n",
		*clients, *rate, *runs, *window, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	compare.WriteTable(&table, sums)
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

func fmtSeconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(10 * time.Microsecond).String()
}
