package compare

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ProcessRSS returns the memory a process holds in RAM, from Linux's
// /proc/PID/statm: what the machine pays, heap, stacks and the garbage not
// yet collected included.
func ProcessRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, fmt.Errorf("/proc/%d/statm: %q", pid, data)
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize()), err
}

// MeasureMemory is what the server holds for each open connection of mode:
// its resident memory with cfg.Clients clients connected, after cfg.Warmup,
// less what it held before they came, over cfg.Clients. Run it on a fresh
// server of its own, as the only load: every other client counts in it.
func MeasureMemory(ctx context.Context, cfg Config, mode Mode, rss func() (int64, error)) (float64, error) {
	if err := settle(ctx, rss, 3*time.Second); err != nil {
		return 0, err
	}
	before, err := rss()
	if err != nil {
		return 0, err
	}
	r := &run{cfg: cfg, mode: mode, got: make([][]receipt, cfg.Clients)}
	stop, err := r.start(ctx)
	if err != nil {
		return 0, err
	}
	if err := Sleep(ctx, cfg.Warmup); err != nil {
		stop()
		return 0, err
	}
	after, err := rss()
	if serr := stop(); err == nil {
		err = serr
	}
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(cfg.Clients), nil
}

// settle waits until a fresh server's memory stops growing (its first
// allocations done), at most d, and returns it.
func settle(ctx context.Context, rss func() (int64, error), d time.Duration) error {
	prev, err := rss()
	deadline := time.Now().Add(d)
	for err == nil && time.Now().Before(deadline) {
		if err := Sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
		var now int64
		if now, err = rss(); err == nil && now == prev {
			return nil
		}
		prev = now
	}
	return err
}
