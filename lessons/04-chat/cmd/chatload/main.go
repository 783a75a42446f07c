// Command chatload drives a running chat server (lesson 04) with many
// clients in many rooms, each sending within the rate limit, and prints what
// they got: deliveries owed, lost and duplicated, and delivery latency.
//
//	go run ./cmd/chatload -addr 127.0.0.1:8080 -clients 1000 -rooms 50 -rate 1 -duration 10s
//
// With -pid, it also prints the server's memory, read from /proc (Linux).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"wscourse/lessons/04-chat/internal/loadtest"
)

func main() {
	var cfg loadtest.Config
	addr := flag.String("addr", "127.0.0.1:8080", "the chat server's `host:port`")
	flag.IntVar(&cfg.Clients, "clients", 1000, "clients, spread evenly over the rooms")
	flag.IntVar(&cfg.Rooms, "rooms", 50, "rooms")
	flag.Float64Var(&cfg.Rate, "rate", 1, "messages a second each client sends (the server allows 10)")
	flag.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long the clients send")
	pid := flag.Int("pid", 0, "the server's process id, to report its memory (Linux)")
	flag.Parse()
	cfg.Addrs = []string{*addr}

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
