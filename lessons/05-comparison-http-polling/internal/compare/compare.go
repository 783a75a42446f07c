// Package compare measures the lesson's four transports against a running
// server: short polling (at any interval), long-polling, Server-Sent Events
// and WebSocket. cmd/compare (`make bench`) and the lesson's Go benchmarks
// both drive it.
package compare

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Mode is one way of getting the updates.
type Mode struct {
	Kind     string        // "poll", "longpoll", "sse" or "ws"
	Interval time.Duration // between polls, for "poll"
}

// Name is how tables and charts call the mode: "poll 100ms", "ws".
func (m Mode) Name() string {
	if m.Kind == "poll" {
		return "poll " + m.Interval.String()
	}
	return m.Kind
}

// Config is one measurement: how many clients, for how long.
type Config struct {
	Addr    string        // host:port of the server
	Clients int           // simulated browser tabs, each with its own connection
	Warmup  time.Duration // connected and receiving before the window opens
	Window  time.Duration // what is measured
	// CPU returns the server's CPU time so far (user and system); nil if
	// it cannot be read.
	CPU func() (time.Duration, error)
	// ClientCPU returns the load generator's CPU time so far; nil if it
	// cannot be read. Its clients share the machine's cores with the server.
	ClientCPU func() (time.Duration, error)
}

// Result is what one window measured for one mode.
type Result struct {
	Mode      Mode
	Clients   int
	Window    time.Duration
	Published int       // updates published during the window
	Delivered int       // of those, deliveries to clients (at most Published×Clients)
	Received  int       // deliveries that arrived during the window, of any update
	Latencies []float64 // of the deliveries counted in Delivered, in seconds, sorted
	Up, Down  int64     // bytes read and written at the connections during the window, TCP/IP headers not included
	// Segments is how many TCP segments the clients' connections sent and
	// received during the window, ACKs included; -1 when unknown. Each
	// carried Header bytes of IP and TCP header.
	Segments, Header int64
	Requests         int64         // HTTP requests sent during the window
	CPU              time.Duration // server CPU time during the window; -1 when unknown
	ClientCPU        time.Duration // the load generator's CPU time during the window; -1 when unknown
}

// PerSecond is updates delivered per second, over all clients.
func (r Result) PerSecond() float64 { return float64(r.Received) / r.Window.Seconds() }

// Fraction is the part of the updates published in the window that reached
// each client.
func (r Result) Fraction() float64 {
	if r.Published == 0 {
		return 0
	}
	return float64(r.Delivered) / float64(r.Published*r.Clients)
}

// Quantile is the latency at q (0.5 for the median), in seconds.
func (r Result) Quantile(q float64) float64 {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, int(q*float64(len(r.Latencies))))]
}

// per divides a window's total by the deliveries received in it.
func (r Result) per(total float64) float64 {
	if r.Received == 0 {
		return 0
	}
	return total / float64(r.Received)
}

func (r Result) UpPerUpdate() float64       { return r.per(float64(r.Up)) }
func (r Result) DownPerUpdate() float64     { return r.per(float64(r.Down)) }
func (r Result) RequestsPerUpdate() float64 { return r.per(float64(r.Requests)) }

// SegmentsPerUpdate is TCP segments both ways per delivered update; -1 when
// unknown.
func (r Result) SegmentsPerUpdate() float64 {
	if r.Segments < 0 {
		return -1
	}
	return r.per(float64(r.Segments))
}

// WirePerUpdate is bytes on the wire both ways per delivered update, the
// IP and TCP headers of every segment included; -1 when unknown.
func (r Result) WirePerUpdate() float64 {
	if r.Segments < 0 {
		return -1
	}
	return r.per(float64(r.Up + r.Down + r.Segments*r.Header))
}

// CPUPerUpdate is server CPU time per delivered update, in seconds; -1 when
// unknown.
func (r Result) CPUPerUpdate() float64 {
	if r.CPU < 0 {
		return -1
	}
	return r.per(r.CPU.Seconds())
}

// ClientCPUPerUpdate is the load generator's CPU time per delivered update,
// in seconds; -1 when unknown.
func (r Result) ClientCPUPerUpdate() float64 {
	if r.ClientCPU < 0 {
		return -1
	}
	return r.per(r.ClientCPU.Seconds())
}

// receipt is one update as a client received it.
type receipt struct {
	seq  uint64
	sent int64 // when the server made it, Unix nanoseconds
	at   int64 // when the client had it, Unix nanoseconds: the same clock
}

// wireUpdate is the part of an update the harness reads.
type wireUpdate struct {
	Seq  uint64 `json:"seq"`
	Sent int64  `json:"sent"`
}

type pollAnswer struct {
	Epoch   string       `json:"epoch"`
	Updates []wireUpdate `json:"updates"`
	Next    uint64       `json:"next"`
}

// next is the path of the request after answer a, with since and epoch as
// the page sends them.
func (a pollAnswer) next(path string) string {
	return fmt.Sprintf("%s?since=%d&epoch=%s", path, a.Next, url.QueryEscape(a.Epoch))
}

// run is one measurement in progress.
type run struct {
	cfg  Config
	mode Mode
	c    counters
	mu   sync.Mutex
	got  [][]receipt // per client
}

func (r *run) record(client int, us ...wireUpdate) {
	now := time.Now().UnixNano()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range us {
		r.got[client] = append(r.got[client], receipt{seq: u.Seq, sent: u.Sent, at: now})
	}
}

// Measure runs cfg.Clients clients of mode against the server: it lets them
// warm up, measures a window, gives late updates a grace period, then stops
// them and works out the figures.
func Measure(ctx context.Context, cfg Config, mode Mode) (Result, error) {
	r := &run{cfg: cfg, mode: mode, got: make([][]receipt, cfg.Clients)}
	stop, err := r.start(ctx)
	if err != nil {
		return Result{}, err
	}
	fail := func(err error) (Result, error) {
		stop()
		return Result{}, err
	}
	if err := Sleep(ctx, cfg.Warmup); err != nil {
		return fail(err)
	}
	cpu0, ccpu0 := readCPU(cfg.CPU), readCPU(cfg.ClientCPU)
	up0, down0, req0 := r.c.up.Load(), r.c.down.Load(), r.c.requests.Load()
	segs0, _, segsOK0 := r.c.segments()
	t0 := time.Now()
	if err := Sleep(ctx, cfg.Window); err != nil {
		return fail(err)
	}
	t1 := time.Now()
	cpu1, ccpu1 := readCPU(cfg.CPU), readCPU(cfg.ClientCPU)
	segs1, header, segsOK1 := r.c.segments()
	res := Result{Mode: mode, Clients: cfg.Clients, Window: t1.Sub(t0),
		Up: r.c.up.Load() - up0, Down: r.c.down.Load() - down0, Requests: r.c.requests.Load() - req0,
		Segments: -1, CPU: -1, ClientCPU: -1}
	if segsOK0 && segsOK1 {
		res.Segments, res.Header = segs1-segs0, int64(header)
	}
	if cpu0 >= 0 && cpu1 >= 0 {
		res.CPU = cpu1 - cpu0
	}
	if ccpu0 >= 0 && ccpu1 >= 0 {
		res.ClientCPU = ccpu1 - ccpu0
	}
	// Updates made near the end of the window arrive after it: a poll
	// interval later at most, for short polling.
	if err := Sleep(ctx, mode.Interval+500*time.Millisecond); err != nil {
		return fail(err)
	}
	if err := stop(); err != nil {
		return Result{}, err
	}

	published, err := publishedBetween(ctx, cfg.Addr, t0.UnixNano(), t1.UnixNano())
	if err != nil {
		return Result{}, err
	}
	res.Published = len(published)
	for _, rs := range r.got {
		seen := map[uint64]bool{}
		for _, x := range rs {
			if x.at >= t0.UnixNano() && x.at < t1.UnixNano() {
				res.Received++
			}
			if published[x.seq] && !seen[x.seq] {
				seen[x.seq] = true
				res.Delivered++
				res.Latencies = append(res.Latencies, time.Duration(x.at-x.sent).Seconds())
			}
		}
	}
	slices.Sort(res.Latencies)
	return res, nil
}

// start runs r's clients, from the server's latest update on, until stop
// is called; stop waits for them and returns the first client's error.
func (r *run) start(ctx context.Context) (stop func() error, err error) {
	since, err := latest(ctx, r.cfg.Addr)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make(chan error, r.cfg.Clients)
	for i := range r.cfg.Clients {
		wg.Go(func() {
			if err := r.client(cctx, i, since); err != nil && cctx.Err() == nil {
				errs <- fmt.Errorf("%s client %d: %w", r.mode.Name(), i, err)
			}
		})
	}
	return func() error {
		cancel()
		wg.Wait()
		select {
		case err := <-errs:
			return err
		default:
			return nil
		}
	}, nil
}

func readCPU(f func() (time.Duration, error)) time.Duration {
	if f == nil {
		return -1
	}
	d, err := f()
	if err != nil {
		return -1
	}
	return d
}

// Sleep waits for d, or until ctx is done, and returns ctx.Err() then.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// client runs one simulated browser tab until ctx is done.
func (r *run) client(ctx context.Context, i int, since uint64) error {
	switch r.mode.Kind {
	case "poll":
		return r.poll(ctx, i, since)
	case "longpoll":
		return r.longPoll(ctx, i, since)
	case "sse":
		return r.sse(ctx, i)
	case "ws":
		return r.ws(ctx, i)
	}
	return fmt.Errorf("unknown mode %q", r.mode.Kind)
}

// poll asks every Interval, like setInterval in a page, starting at a random
// point of the first interval so that the clients do not poll in step.
func (r *run) poll(ctx context.Context, i int, since uint64) error {
	hc := newClient(&r.c)
	defer hc.CloseIdleConnections()
	if err := Sleep(ctx, rand.N(r.mode.Interval)); err != nil {
		return nil
	}
	t := time.NewTicker(r.mode.Interval)
	defer t.Stop()
	path := fmt.Sprintf("/poll?since=%d", since)
	for {
		a, err := r.get(ctx, hc, path)
		if err != nil {
			return err
		}
		r.record(i, a.Updates...)
		path = a.next("/poll")
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// longPoll asks again as soon as each answer is in.
func (r *run) longPoll(ctx context.Context, i int, since uint64) error {
	hc := newClient(&r.c)
	defer hc.CloseIdleConnections()
	path := fmt.Sprintf("/longpoll?since=%d", since)
	for ctx.Err() == nil {
		a, err := r.get(ctx, hc, path)
		if err != nil {
			return err
		}
		r.record(i, a.Updates...)
		path = a.next("/longpoll")
	}
	return nil
}

// get sends one request with the browser's headers and decodes the answer.
func (r *run) get(ctx context.Context, hc *http.Client, path string) (pollAnswer, error) {
	var a pollAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.cfg.Addr+path, nil)
	if err != nil {
		return a, err
	}
	req.Header = BrowserHeaders(r.cfg.Addr)
	r.c.requests.Add(1)
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return a, nil
		}
		return a, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return a, fmt.Errorf("GET %s: %s %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	err = json.NewDecoder(resp.Body).Decode(&a)
	if err != nil && ctx.Err() != nil {
		return a, nil
	}
	return a, err
}

// sse reads an event stream, as an EventSource does.
func (r *run) sse(ctx context.Context, i int) error {
	hc := newClient(&r.c)
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.cfg.Addr+"/sse", nil)
	if err != nil {
		return err
	}
	req.Header = BrowserHeaders(r.cfg.Addr)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	r.c.requests.Add(1)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /sse: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var u wireUpdate
		if err := json.Unmarshal([]byte(data), &u); err != nil {
			return fmt.Errorf("GET /sse: data %q: %w", data, err)
		}
		r.record(i, u)
	}
	if ctx.Err() != nil {
		return nil
	}
	return errors.Join(errors.New("GET /sse: the stream ended"), sc.Err())
}

// ws reads a WebSocket, as the page does.
func (r *run) ws(ctx context.Context, i int) error {
	d := websocket.Dialer{NetDialContext: dialer(&r.c), HandshakeTimeout: 5 * time.Second}
	h := BrowserHeaders(r.cfg.Addr)
	for _, k := range []string{"Accept", "Connection", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Referer"} {
		h.Del(k) // the handshake has its own; the dialer writes them
	}
	h.Set("Origin", "http://"+r.cfg.Addr)
	r.c.requests.Add(1)
	c, _, err := d.DialContext(ctx, "ws://"+r.cfg.Addr+"/ws", h)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		var u wireUpdate
		if err := json.Unmarshal(data, &u); err != nil {
			return fmt.Errorf("/ws: message %q: %w", data, err)
		}
		r.record(i, u)
	}
}

// latest asks the server for the seq of its latest update.
func latest(ctx context.Context, addr string) (uint64, error) {
	a, err := pollAll(ctx, addr)
	return a.Next, err
}

// publishedBetween returns the seqs of the kept updates made in [from, to).
func publishedBetween(ctx context.Context, addr string, from, to int64) (map[uint64]bool, error) {
	a, err := pollAll(ctx, addr)
	if err != nil {
		return nil, err
	}
	out := map[uint64]bool{}
	for _, u := range a.Updates {
		if u.Sent >= from && u.Sent < to {
			out[u.Seq] = true
		}
	}
	return out, nil
}

// pollAll fetches every kept update, outside any count.
func pollAll(ctx context.Context, addr string) (pollAnswer, error) {
	var a pollAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/poll?since=0", nil)
	if err != nil {
		return a, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return a, fmt.Errorf("GET /poll?since=0: %s", resp.Status)
	}
	return a, json.NewDecoder(resp.Body).Decode(&a)
}
