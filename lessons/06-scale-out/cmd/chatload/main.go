// Command chatload drives running chat instances (lesson 06) with many
// clients in many rooms, spread over the instances, each sending within the
// rate limit, and prints what they got: deliveries owed, lost and
// duplicated, and delivery latency.
//
//	go run ./cmd/chatload -addr 127.0.0.1:8080,127.0.0.1:8081,127.0.0.1:8082 -clients 3000 -rooms 100 -rate 1 -duration 10s
//
// With -reconnect, a client whose instance goes away comes back on the next
// one, as the page does, so an instance can be killed while it runs.
// With -pid, it also prints the memory of the server process, read from /proc (Linux).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"wscourse/lessons/06-scale-out/internal/loadtest"
)

func main() {
	var cfg loadtest.Config
	addrs := flag.String("addr", "127.0.0.1:8080,127.0.0.1:8081,127.0.0.1:8082", "the chat instances, comma-separated `host:port`s; the clients are spread over them")
	flag.IntVar(&cfg.Clients, "clients", 3000, "clients, spread evenly over the rooms")
	flag.IntVar(&cfg.Rooms, "rooms", 100, "rooms")
	flag.Float64Var(&cfg.Rate, "rate", 1, "messages a second each client sends (the server allows 10)")
	flag.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long the clients send")
	flag.BoolVar(&cfg.Reconnect, "reconnect", false, "bring back a client whose connection ends, to the next address, resuming with since and epoch (as the page does); to kill an instance under load")
	pid := flag.Int("pid", 0, "the server's process id, to report its memory (Linux)")
	flag.Parse()
	cfg.Addrs = strings.Split(*addrs, ",")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	mem := ""
	if *pid > 0 {
		cfg.Loaded = func() { mem = memory(*pid) }
	}
	res, err := loadtest.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chatload:", err)
		os.Exit(1)
	}
	fmt.Print(res.Table(mem))
	if res.Lost > 0 || res.Dups > 0 {
		os.Exit(1)
	}
}

// memory reads the resident and peak memory of process pid from /proc.
func memory(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	var rss, hwm string
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	return fmt.Sprintf("server resident %s with every client connected (peak %s)", rss, hwm)
}
