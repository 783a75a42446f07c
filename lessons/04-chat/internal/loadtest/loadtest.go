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
	// Reconnect brings back a member whose connection ends before the
	// test does, as the chat page does: to the next address, resuming with
	// since and epoch, trying again while it is refused. Without it, the
	// member is gone for the rest of the test.
	Reconnect bool
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

	// With Reconnect: the connections that ended and came back, and how
	// long each member was away, from its connection's end to the welcome
	// of the next. NotStored counts messages a member wrote and nobody
	// got: written to an instance as it died. They are not owed.
	Reconnects int
	Away       Percentiles
	Resumed    int64 // deliveries that came in the history of a welcome after a reconnection
	NotStored  int64
}

// Percentiles of delivery latency: from the sender's write to a member's read.
type Percentiles struct{ P50, P90, P99, Max time.Duration }

// drainWait bounds the wait, once sending is over, for deliveries still on
// their way; what has not come by then counts as lost.
const drainWait = 5 * time.Second

// member is one client: it sends its own messages and checks what it gets.
type member struct {
	id, room int
	cfg      *Config
	got      *gotten // which messages anyone got, shared by every member
	sent     int64   // written by the sender goroutine, read after it ends

	mu   sync.Mutex
	conn *websocket.Conn // replaced by the reader when it reconnects

	received  atomic.Int64 // deliveries in order
	resumed   atomic.Int64 // of which in a welcome's history, after a reconnection
	dups      atomic.Int64
	refused   atomic.Int64
	closed    atomic.Pointer[websocket.CloseError] // set when the server closed
	next      map[int]int64                        // the next seq wanted from each sender: reader only
	latencies []time.Duration                      // reader only
	epoch     string                               // reader only
	lastID    int64                                // reader only: the last message id it got
	away      []time.Duration                      // reader only
	stop      chan struct{}                        // closed when the test ends: no more reconnections
	done      chan struct{}                        // the reader has returned
}

// gotten keeps, for every sender, the seqs that reached at least one
// member: a seq nobody got was never stored.
type gotten struct {
	mu   sync.Mutex
	seqs map[int]map[int64]bool
}

func (g *gotten) add(sender int, seq int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seqs[sender] == nil {
		g.seqs[sender] = make(map[int64]bool)
	}
	g.seqs[sender][seq] = true
}

func (g *gotten) count(sender int) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return int64(len(g.seqs[sender]))
}

// Run connects cfg.Clients clients, has each send cfg.Rate messages a second
// for cfg.Duration, waits for the deliveries and reports.
func Run(ctx context.Context, cfg Config) (Result, error) {
	res := Result{Config: cfg}
	if len(cfg.Addrs) < 1 || cfg.Clients < 1 || cfg.Rooms < 1 || cfg.Rate <= 0 || cfg.Duration <= 0 {
		return res, errors.New("loadtest: addresses, clients, rooms, rate and duration must be given and positive")
	}
	start := time.Now()
	got := &gotten{seqs: make(map[int]map[int64]bool)}
	ms, err := connect(ctx, &cfg, got)
	defer func() {
		for _, m := range ms {
			if m != nil {
				m.end()
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

	// Each member is owed every message of its room, its own included:
	// all that were sent, or, with Reconnect, all that anyone got.
	deadline := time.Now().Add(drainWait)
	owed := make([]int64, cfg.Rooms)
	stored := func(m *member) int64 {
		if cfg.Reconnect {
			return m.got.count(m.id)
		}
		return m.sent
	}
	for {
		for i := range owed {
			owed[i] = 0
		}
		for _, m := range ms {
			owed[m.room] += stored(m)
		}
		behind := false
		for _, m := range ms {
			behind = behind || m.received.Load() < owed[m.room]
		}
		if !behind || !time.Now().Before(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(10 * time.Millisecond) // a load tool may poll; tests do not
	}
	var all, away []time.Duration
	for _, m := range ms {
		m.end() // the reader returns; its counters are final
		res.Sent += m.sent
		res.NotStored += m.sent - stored(m)
		res.Expected += owed[m.room]
		res.Delivered += m.received.Load()
		res.Resumed += m.resumed.Load()
		res.Dups += m.dups.Load()
		res.Refused += m.refused.Load()
		if ce := m.closed.Load(); ce != nil {
			res.Closed++
			res.CloseReasons = append(res.CloseReasons, ce.Error())
		}
		res.Lost += max(0, owed[m.room]-m.received.Load())
		res.Reconnects += len(m.away)
		all = append(all, m.latencies...)
		away = append(away, m.away...)
	}
	res.Latency = percentiles(all)
	res.Away = percentiles(away)
	return res, ctx.Err()
}

// connect dials every client, a few at a time, and waits for each welcome.
func connect(ctx context.Context, cfg *Config, got *gotten) ([]*member, error) {
	ms := make([]*member, cfg.Clients)
	errs := make(chan error, cfg.Clients)
	slots := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range ms {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			m := &member{id: i, room: i % cfg.Rooms, cfg: cfg, got: got, next: make(map[int]int64),
				stop: make(chan struct{}), done: make(chan struct{})}
			conn, err := m.dial(ctx, cfg.Addrs[i%len(cfg.Addrs)])
			if err != nil {
				errs <- err
				return
			}
			m.conn = conn
			ms[i] = m
			go m.read(ctx)
		})
	}
	wg.Wait()
	close(errs)
	return ms, <-errs // nil when no dial failed
}

// dial connects the member to addr, resuming after the last message it got
// if it had a welcome before, and takes the welcome's history.
func (m *member) dial(ctx context.Context, addr string) (*websocket.Conn, error) {
	q := url.Values{"name": {"c" + strconv.Itoa(m.id)}, "room": {"load" + strconv.Itoa(m.room)}}
	if m.epoch != "" {
		q.Set("since", strconv.FormatInt(m.lastID, 10))
		q.Set("epoch", m.epoch)
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, "ws://"+addr+"/ws?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("client %d: %w", m.id, err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var w struct {
		Type, Epoch, Error string
		History            []incoming
	}
	if err := conn.ReadJSON(&w); err != nil || w.Type != "welcome" {
		conn.Close()
		return nil, fmt.Errorf("client %d: want a welcome first, got %q %s(%v)", m.id, w.Type, w.Error, err)
	}
	conn.SetReadDeadline(time.Time{})
	resumed := m.epoch != ""
	m.epoch = w.Epoch
	for _, in := range w.History {
		if m.take(in, time.Time{}) && resumed {
			m.resumed.Add(1)
		}
	}
	return conn, nil
}

// end stops the member: no more reconnections, the connection closed, the
// reader returned.
func (m *member) end() {
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
	m.mu.Lock()
	m.conn.Close()
	m.mu.Unlock()
	<-m.done
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
		m.mu.Lock()
		m.conn.SetWriteDeadline(now.Add(10 * time.Second))
		err := m.conn.WriteMessage(websocket.TextMessage, data)
		m.mu.Unlock()
		switch {
		case err == nil:
			m.sent++
		case !m.cfg.Reconnect:
			return
		}
		// Reconnecting: this one is not sent, the next goes to the new
		// connection.
	}
}

// incoming is the part of a message the members read.
type incoming struct {
	Type, Text string
	ID         int64
}

// read takes the member's messages until the connection closes, and with
// Reconnect comes back until the test ends.
func (m *member) read(ctx context.Context) {
	defer close(m.done)
	for {
		m.mu.Lock()
		conn := m.conn
		m.mu.Unlock()
		err := m.readConn(conn)
		ce, _ := errors.AsType[*websocket.CloseError](err)
		if ce != nil {
			m.closed.Store(ce)
		}
		if !m.cfg.Reconnect || (ce != nil && ce.Code == websocket.ClosePolicyViolation) {
			return // too slow, say: the page would not come back either
		}
		gone := time.Now()
		for attempt := 1; ; attempt++ {
			select {
			case <-m.stop:
				return
			default:
			}
			next, err := m.dial(ctx, m.cfg.Addrs[(m.id+attempt)%len(m.cfg.Addrs)])
			if err == nil {
				m.mu.Lock()
				m.conn = next
				m.mu.Unlock()
				m.away = append(m.away, time.Since(gone))
				break
			}
			// As the page does: exponential backoff up to 5s, with jitter.
			wait := min(5*time.Second, 250*time.Millisecond<<min(attempt, 5))
			select {
			case <-time.After(wait/2 + rand.N(wait/2)):
			case <-m.stop:
				return
			}
		}
	}
}

// readConn takes the messages of one connection until it ends.
func (m *member) readConn(conn *websocket.Conn) error {
	var in incoming
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		now := time.Now()
		in = incoming{}
		if json.Unmarshal(data, &in) != nil {
			continue
		}
		switch in.Type {
		case "error":
			m.refused.Add(1)
		case "message":
			m.take(in, now)
		}
	}
}

// take counts a chat message that arrived at now (zero: in a welcome's
// history) and reports whether it was new.
func (m *member) take(in incoming, now time.Time) bool {
	m.lastID = max(m.lastID, in.ID)
	f := strings.Fields(in.Text)
	if len(f) != 3 {
		return false
	}
	sender, _ := strconv.Atoi(f[0])
	seq, _ := strconv.ParseInt(f[1], 10, 64)
	sentAt, _ := strconv.ParseInt(f[2], 10, 64)
	if seq < m.next[sender] {
		m.dups.Add(1) // again, or after a later one: a gap counts as lost
		return false
	}
	m.next[sender] = seq + 1
	m.got.add(sender, seq)
	if !now.IsZero() {
		m.latencies = append(m.latencies, now.Sub(time.Unix(0, sentAt)))
	}
	m.received.Add(1)
	return true
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
	if r.Reconnect {
		fmt.Fprintf(&b, "not stored  %9d messages written to an instance as it died (not owed)\n", r.NotStored)
		fmt.Fprintf(&b, "reconnected %9d connections, away p50 %v  p90 %v  max %v; %d deliveries came in their welcomes\n",
			r.Reconnects, ms(r.Away.P50), ms(r.Away.P90), ms(r.Away.Max), r.Resumed)
	}
	if memory != "" {
		fmt.Fprintf(&b, "memory      %s\n", memory)
	}
	return b.String()
}

func ms(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
