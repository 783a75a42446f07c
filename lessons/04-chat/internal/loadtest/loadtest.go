// course:shared(04-chat,06-scale-out): the same in lessons 04 and 06; make verify compares the copies.

// Package loadtest drives a chat server, or several instances of one, with
// many clients at once, spread over the addresses given, and
// measures what they get: every message each member should receive, lost,
// duplicated or out of order, and how long delivery took. The benchmark in
// bench_test.go and the command cmd/chatload both run it.
package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Config is one load test.
type Config struct {
	Addrs    []string      // the instances' host:port; client i goes to Addrs[i%len(Addrs)]
	Clients  int           // members, spread evenly over the rooms
	Rooms    int           // rooms
	Rate     float64       // messages a second each client sends
	Duration time.Duration // how long they send
	// Loaded, if set, is called once the clients have sent their last
	// messages, while every one is still connected: the time to measure
	// the server's memory.
	Loaded func()
}

// Result is what the clients saw.
type Result struct {
	Config
	Sent         int64 // messages the clients sent
	Expected     int64 // deliveries owed: each message to every member of its room
	Delivered    int64 // deliveries that came, once each and in order
	Lost         int64 // owed and never came
	Dups         int64 // came again, or out of its sender's order
	Refused      int64 // error messages (the rate limit, say)
	Closed       int   // members the server closed before the end ("too slow", say)
	CloseReasons []string
	Latency      Percentiles
	JoinTime     time.Duration // to connect every client and get its welcome
}

// Percentiles of delivery latency: from the sender's write to a member's read.
type Percentiles struct{ P50, P90, P99, Max time.Duration }

// drainWait bounds the wait, once sending is over, for deliveries still on
// their way; what has not come by then counts as lost.
const drainWait = 5 * time.Second

// member is one client: it sends its own messages and checks what it gets.
type member struct {
	id, room int
	conn     *websocket.Conn
	sent     int64 // written by the sender goroutine, read after it ends

	received  atomic.Int64 // deliveries in order
	dups      atomic.Int64
	refused   atomic.Int64
	closed    atomic.Pointer[websocket.CloseError] // set when the server closed
	next      map[int]int64                        // the next seq wanted from each sender: reader only
	latencies []time.Duration                      // reader only
	done      chan struct{}                        // the reader has returned
}

// Run connects cfg.Clients clients, has each send cfg.Rate messages a second
// for cfg.Duration, waits for the deliveries and reports.
func Run(ctx context.Context, cfg Config) (Result, error) {
	res := Result{Config: cfg}
	if len(cfg.Addrs) < 1 || cfg.Clients < 1 || cfg.Rooms < 1 || cfg.Rate <= 0 || cfg.Duration <= 0 {
		return res, errors.New("loadtest: addresses, clients, rooms, rate and duration must be given and positive")
	}
	start := time.Now()
	ms, err := connect(ctx, cfg)
	defer func() {
		for _, m := range ms {
			if m != nil {
				m.conn.Close()
				<-m.done
			}
		}
	}()
	if err != nil {
		return res, err
	}
	res.JoinTime = time.Since(start)

	// Every member sends, each from its own goroutine, starting at a random
	// point of its first interval so that the load is even.
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	until := time.Now().Add(cfg.Duration)
	var senders sync.WaitGroup
	for _, m := range ms {
		senders.Go(func() { m.send(ctx, interval, until) })
	}
	senders.Wait()
	if cfg.Loaded != nil {
		cfg.Loaded()
	}

	// Each member is owed every message of its room, its own included.
	owed := make([]int64, cfg.Rooms)
	for _, m := range ms {
		owed[m.room] += m.sent
		res.Sent += m.sent
	}
	deadline := time.Now().Add(drainWait)
	for _, m := range ms {
		for m.received.Load() < owed[m.room] && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond) // a load tool may poll; tests do not
		}
	}
	var all []time.Duration
	for _, m := range ms {
		m.conn.Close() // the reader returns; its counters are final
		<-m.done
		res.Expected += owed[m.room]
		res.Delivered += m.received.Load()
		res.Dups += m.dups.Load()
		res.Refused += m.refused.Load()
		if ce := m.closed.Load(); ce != nil {
			res.Closed++
			res.CloseReasons = append(res.CloseReasons, ce.Error())
		}
		res.Lost += max(0, owed[m.room]-m.received.Load())
		all = append(all, m.latencies...)
	}
	res.Latency = percentiles(all)
	return res, ctx.Err()
}

// connect dials every client, a few at a time, and waits for each welcome.
func connect(ctx context.Context, cfg Config) ([]*member, error) {
	ms := make([]*member, cfg.Clients)
	errs := make(chan error, cfg.Clients)
	slots := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range ms {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			m, err := dial(ctx, cfg.Addrs[i%len(cfg.Addrs)], i, i%cfg.Rooms)
			if err != nil {
				errs <- err
				return
			}
			ms[i] = m
		})
	}
	wg.Wait()
	close(errs)
	return ms, <-errs // nil when no dial failed
}

func dial(ctx context.Context, addr string, id, room int) (*member, error) {
	q := url.Values{"name": {"c" + strconv.Itoa(id)}, "room": {"load" + strconv.Itoa(room)}}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, "ws://"+addr+"/ws?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("client %d: %w", id, err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var w struct{ Type string }
	if err := conn.ReadJSON(&w); err != nil || w.Type != "welcome" {
		conn.Close()
		return nil, fmt.Errorf("client %d: want a welcome first, got %q (%v)", id, w.Type, err)
	}
	conn.SetReadDeadline(time.Time{})
	m := &member{id: id, room: room, conn: conn, next: make(map[int]int64), done: make(chan struct{})}
	go m.read()
	return m, nil
}

// send writes a message every interval until the time is up. Each text is
// "SENDER SEQ UNIXNANO", so that members can check order and latency.
func (m *member) send(ctx context.Context, interval time.Duration, until time.Time) {
	t := time.NewTimer(rand.N(interval))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		if now.After(until) {
			return
		}
		t.Reset(interval)
		text := fmt.Sprintf("%d %d %d", m.id, m.sent, now.UnixNano())
		data, _ := json.Marshal(map[string]string{"type": "message", "text": text})
		m.conn.SetWriteDeadline(now.Add(10 * time.Second))
		if m.conn.WriteMessage(websocket.TextMessage, data) != nil {
			return
		}
		m.sent++
	}
}

// read takes the member's messages until the connection closes.
func (m *member) read() {
	defer close(m.done)
	var in struct{ Type, Text string }
	for {
		_, data, err := m.conn.ReadMessage()
		if err != nil {
			if ce, ok := errors.AsType[*websocket.CloseError](err); ok {
				m.closed.Store(ce)
			}
			return
		}
		now := time.Now()
		in.Type, in.Text = "", ""
		if json.Unmarshal(data, &in) != nil {
			continue
		}
		switch in.Type {
		case "error":
			m.refused.Add(1)
			continue
		case "message":
		default:
			continue // joins and leaves
		}
		f := strings.Fields(in.Text)
		if len(f) != 3 {
			continue
		}
		sender, _ := strconv.Atoi(f[0])
		seq, _ := strconv.ParseInt(f[1], 10, 64)
		sentAt, _ := strconv.ParseInt(f[2], 10, 64)
		if seq < m.next[sender] {
			m.dups.Add(1) // again, or after a later one: a gap counts as lost
			continue
		}
		m.next[sender] = seq + 1
		m.latencies = append(m.latencies, now.Sub(time.Unix(0, sentAt)))
		m.received.Add(1)
	}
}

func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return Percentiles{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ds[len(ds)-1]}
}

// Table prints r as the README shows it.
func (r Result) Table(memory string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "clients %d in %d rooms, %.1f messages/s each for %v (joined in %v)\n",
		r.Clients, r.Rooms, r.Rate, r.Duration, r.JoinTime.Round(time.Millisecond))
	fmt.Fprintf(&b, "sent        %9d messages (%.0f/s)\n", r.Sent, float64(r.Sent)/r.Duration.Seconds())
	fmt.Fprintf(&b, "owed        %9d deliveries (%.0f/s)\n", r.Expected, float64(r.Expected)/r.Duration.Seconds())
	fmt.Fprintf(&b, "delivered   %9d\n", r.Delivered)
	fmt.Fprintf(&b, "lost        %9d\n", r.Lost)
	fmt.Fprintf(&b, "duplicated  %9d\n", r.Dups)
	fmt.Fprintf(&b, "refused     %9d (error messages)\n", r.Refused)
	fmt.Fprintf(&b, "closed      %9d members closed by the server", r.Closed)
	if r.Closed > 0 {
		fmt.Fprintf(&b, " (first: %s)", r.CloseReasons[0])
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "latency     p50 %v  p90 %v  p99 %v  max %v\n", ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max))
	if memory != "" {
		fmt.Fprintf(&b, "memory      %s\n", memory)
	}
	return b.String()
}

func ms(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
