package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmarks measure the lesson's hub (the server of this folder, run as
// main runs it) beside the design of gorilla's examples/chat (example_test.go),
// with a load generator written for the purpose: raw TCP clients that read
// frames into reused buffers, so that what allocates is the server. Run
//
//	go test -run '^$' -bench Compare -benchtime 1x
//
// for the side-by-side table of the README, and
//
//	go test -run '^$' -bench 'Broadcast|IdleMemory' -benchtime 2000x
//
// for the figures as Go benchmarks. Run them with the reference solution.

var (
	compareClients  = flag.Int("compare.clients", 1000, "clients connected during BenchmarkCompare")
	compareMessages = flag.Int("compare.messages", 2000, "messages measured per run of BenchmarkCompare")
	compareRounds   = flag.Int("compare.rounds", 3, "runs of each server, alternating, in BenchmarkCompare")
	inflight        = flag.Int("inflight", 16, "messages the publisher may have in flight: fewer than a queue holds, so none overflows")
)

// loadMessageSize is the size of every message the publisher sends.
const loadMessageSize = 128

// loadTarget is a server under load.
type loadTarget struct {
	name  string
	start func(tb testing.TB) (addr string, stop func())
}

var (
	hubTarget = loadTarget{"lesson hub", func(tb testing.TB) (string, func()) {
		ts := startServer(tb, "-tick", "0")
		return ts.addr, func() { ts.shutdown() }
	}}
	exampleTarget = loadTarget{"gorilla examples/chat design", startExample}
)

// loadResult is one run under load.
type loadResult struct {
	deliveries float64 // messages received per second, summed over clients
	p50, p99   time.Duration
	allocs     float64 // heap allocations per broadcast, in the whole process
	frames     float64 // WebSocket messages per delivery: below 1 when joined
}

// dialLoad opens a WebSocket to addr/ws by hand and returns the connection
// with nothing buffered: the server sends nothing before the first message.
func dialLoad(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	var buf [512]byte
	n := 0
	for !bytes.Contains(buf[:n], []byte("\r\n\r\n")) {
		m, err := conn.Read(buf[n:])
		if err != nil {
			conn.Close()
			return nil, err
		}
		n += m
	}
	if !bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 101")) || !bytes.HasSuffix(buf[:n], []byte("\r\n\r\n")) {
		conn.Close()
		return nil, fmt.Errorf("handshake: got %q", buf[:n])
	}
	conn.SetDeadline(time.Time{})
	return conn, nil
}

// loadClient reads messages and records, for each, its delay since it was
// sent. Every message is "SEQ SENT_UNIX_NANO xxx..."; the publisher's
// probes are "probe".
type loadClient struct {
	conn   net.Conn
	run    *loadRun
	probed bool
	lat    []int64 // of measured messages
	frames int     // WebSocket messages read
}

// loadRun is the shared state of one run.
type loadRun struct {
	warmup    int
	remaining []atomic.Int32 // per message, clients that have not received it
	acks      chan int       // messages every client has received
	probed    atomic.Int32   // clients that have seen a probe
}

func (c *loadClient) read(done *sync.WaitGroup) {
	defer done.Done()
	br := bufio.NewReaderSize(c.conn, 64<<10)
	var hdr [8]byte
	var msg []byte
	for {
		if _, err := io.ReadFull(br, hdr[:2]); err != nil {
			return
		}
		fin, op := hdr[0]&0x80 != 0, hdr[0]&0x0F
		n := uint64(hdr[1] & 0x7F)
		switch n {
		case 126:
			io.ReadFull(br, hdr[:2])
			n = uint64(hdr[0])<<8 | uint64(hdr[1])
		case 127:
			io.ReadFull(br, hdr[:8])
			n = 0
			for _, b := range hdr {
				n = n<<8 | uint64(b)
			}
		}
		if op >= 8 { // control: pings are rare in a run this short; close ends it
			if _, err := br.Discard(int(n)); err != nil || op == 8 {
				return
			}
			continue
		}
		if op != 0 {
			msg = msg[:0]
		}
		start := len(msg)
		msg = slices.Grow(msg, int(n))[:start+int(n)]
		if _, err := io.ReadFull(br, msg[start:]); err != nil {
			return
		}
		if fin {
			c.frames++
			c.deliver(msg)
		}
	}
}

// deliver handles one WebSocket message: one line, or several joined.
func (c *loadClient) deliver(msg []byte) {
	now := time.Now().UnixNano()
	for len(msg) > 0 {
		line := msg
		if i := bytes.IndexByte(msg, '\n'); i >= 0 {
			line, msg = msg[:i], msg[i+1:]
		} else {
			msg = nil
		}
		if bytes.Equal(line, []byte("probe")) {
			if !c.probed {
				c.probed = true
				c.run.probed.Add(1)
			}
			continue
		}
		seq, sent := digits(line[:10]), digits(line[11:30])
		if seq >= c.run.warmup {
			c.lat = append(c.lat, now-int64(sent))
		}
		if c.run.remaining[seq].Add(-1) == 0 {
			c.run.acks <- seq
		}
	}
}

// putDigits writes v into b in decimal, padded with zeros.
func putDigits(b []byte, v uint64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

func digits(b []byte) int {
	n := 0
	for _, d := range b {
		n = n*10 + int(d-'0')
	}
	return n
}

// frameOf returns a masked client text frame of payload; the mask key is
// zero, which leaves the payload as it is.
func frameOf(payload []byte) []byte {
	f := []byte{0x81, 0x80 | 126, byte(len(payload) >> 8), byte(len(payload)), 0, 0, 0, 0}
	if len(payload) <= 125 {
		f = []byte{0x81, 0x80 | byte(len(payload)), 0, 0, 0, 0}
	}
	return append(f, payload...)
}

// runLoad connects clients to addr (and one more that never reads, if
// stalled), publishes warmup+messages messages of 128 bytes from the first,
// at most inflight at a time, and measures the messages after the warm-up.
func runLoad(addr string, clients, messages int, stalled bool) (loadResult, error) {
	const warmup = 200
	total := warmup + messages
	run := &loadRun{warmup: warmup, remaining: make([]atomic.Int32, total), acks: make(chan int, total)}
	for i := range run.remaining {
		run.remaining[i].Store(int32(clients))
	}
	var cs []*loadClient
	var reading sync.WaitGroup
	defer func() {
		for _, c := range cs {
			c.conn.Close()
		}
		reading.Wait()
	}()
	for range clients {
		conn, err := dialLoad(addr)
		if err != nil {
			return loadResult{}, err
		}
		c := &loadClient{conn: conn, run: run, lat: make([]int64, 0, messages)}
		cs = append(cs, c)
		reading.Add(1)
		go c.read(&reading)
	}
	if stalled {
		conn, err := dialLoad(addr)
		if err != nil {
			return loadResult{}, err
		}
		defer conn.Close()
	}
	pub := cs[0].conn
	pub.SetWriteDeadline(time.Now().Add(5 * time.Minute))

	// Probes until every client has seen one, so that all are in the hub.
	probe := frameOf([]byte("probe"))
	deadline := time.Now().Add(30 * time.Second)
	for int(run.probed.Load()) < clients {
		if time.Now().After(deadline) {
			return loadResult{}, fmt.Errorf("only %d of %d clients got a probe within 30s", run.probed.Load(), clients)
		}
		if _, err := pub.Write(probe); err != nil {
			return loadResult{}, err
		}
		time.Sleep(20 * time.Millisecond) // a load generator's pause, not a test's
	}

	payload := []byte(strings.Repeat("x", loadMessageSize))
	payload[10], payload[30] = ' ', ' '
	frame := frameOf(payload)
	body := frame[len(frame)-loadMessageSize:]
	acked := make([]bool, total)
	nextAck := 0                        // every message before it is acked
	timeout := time.NewTimer(time.Hour) // one timer: a new one per wait would allocate
	defer timeout.Stop()
	wait := func(upTo int) error {
		if nextAck <= upTo {
			timeout.Reset(30 * time.Second)
		}
		for nextAck <= upTo {
			select {
			case seq := <-run.acks:
				acked[seq] = true
				for nextAck < total && acked[nextAck] {
					nextAck++
				}
			case <-timeout.C:
				return fmt.Errorf("message %d did not reach every client within 30s", nextAck)
			}
		}
		return nil
	}
	var before, after runtime.MemStats
	var start time.Time
	for seq := range total {
		if seq == warmup {
			if err := wait(warmup - 1); err != nil {
				return loadResult{}, err
			}
			runtime.ReadMemStats(&before)
			start = time.Now()
		}
		if err := wait(seq - *inflight); err != nil {
			return loadResult{}, err
		}
		putDigits(body[:10], uint64(seq))
		putDigits(body[11:30], uint64(time.Now().UnixNano()))
		if _, err := pub.Write(frame); err != nil {
			return loadResult{}, err
		}
	}
	if err := wait(total - 1); err != nil {
		return loadResult{}, err
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	var lat []int64
	frames := 0
	for _, c := range cs {
		lat = append(lat, c.lat...)
		frames += c.frames
	}
	slices.Sort(lat)
	deliveries := float64(messages) * float64(clients)
	return loadResult{
		deliveries: deliveries / elapsed.Seconds(),
		p50:        time.Duration(lat[len(lat)/2]),
		p99:        time.Duration(lat[len(lat)*99/100]),
		allocs:     float64(after.Mallocs-before.Mallocs) / float64(messages),
		frames:     float64(frames) / float64(total*clients),
	}, nil
}

// idleBytes returns the memory, heap and stacks, that one idle connection
// costs the server at addr: n connections are opened, each receives one
// message, and the growth is divided by n. The clients' side of each TCP
// connection is subtracted, as half of what a pair of bare TCP connections
// costs.
func idleBytes(tb testing.TB, addr string, n int) float64 {
	tb.Helper()
	grew := func(open func() (func(), error)) float64 {
		before := liveBytes()
		closeAll, err := open()
		if err != nil {
			tb.Fatal(err)
		}
		after := liveBytes()
		closeAll()
		return float64(after-before) / float64(n)
	}
	tcp := grew(func() (func(), error) { return openBareTCP(n) })
	ws := grew(func() (func(), error) {
		var conns []net.Conn
		closeAll := func() {
			for _, c := range conns {
				c.Close()
			}
		}
		for range n {
			c, err := dialLoad(addr)
			if err != nil {
				closeAll()
				return nil, err
			}
			conns = append(conns, c)
		}
		// A message to everyone, so that every writer has written once;
		// again while some connection has not got it, as a server may
		// add a client to its hub a moment after the handshake.
		probe := frameOf([]byte("probe"))
		var buf [64]byte
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; i < len(conns); {
			if _, err := conns[0].Write(probe); err != nil || time.Now().After(deadline) {
				closeAll()
				return nil, fmt.Errorf("connection %d of %d got no probe within 10s (%v)", i+1, n, err)
			}
			for ; i < len(conns); i++ {
				conns[i].SetReadDeadline(time.Now().Add(100 * time.Millisecond))
				if _, err := io.ReadFull(conns[i], buf[:len(probe)-4]); err != nil { // the server's frame is unmasked
					break
				}
			}
		}
		return closeAll, nil
	})
	return ws - tcp/2
}

// openBareTCP opens n TCP connections to a listener that keeps them and
// does nothing else.
func openBareTCP(n int) (func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	accepted := make(chan net.Conn, n)
	go func() {
		for range n {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	var conns []net.Conn
	closeAll := func() {
		ln.Close()
		for _, c := range conns {
			c.Close()
		}
	}
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			closeAll()
			return nil, err
		}
		conns = append(conns, c, <-accepted)
	}
	return closeAll, nil
}

// liveBytes is the heap in use after a collection, plus goroutine stacks.
func liveBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// BenchmarkBroadcast: b.N messages of 128 bytes to 10 and to 1,000 clients.
func BenchmarkBroadcast(b *testing.B) {
	for _, target := range []loadTarget{hubTarget, exampleTarget} {
		for _, clients := range []int{10, 1000} {
			b.Run(fmt.Sprintf("server=%s/clients=%d", strings.Fields(target.name)[0], clients), func(b *testing.B) {
				addr, stop := target.start(b)
				defer stop()
				r, err := runLoad(addr, clients, max(b.N, 100), false)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(r.deliveries, "deliveries/s")
				b.ReportMetric(float64(r.p50.Microseconds()), "p50-µs")
				b.ReportMetric(float64(r.p99.Microseconds()), "p99-µs")
				b.ReportMetric(r.allocs, "allocs/broadcast")
				b.ReportMetric(r.frames, "frames/delivery")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// BenchmarkIdleMemory: what one idle connection costs the server.
func BenchmarkIdleMemory(b *testing.B) {
	for _, target := range []loadTarget{hubTarget, exampleTarget} {
		b.Run("server="+strings.Fields(target.name)[0], func(b *testing.B) {
			addr, stop := target.start(b)
			defer stop()
			b.ReportMetric(idleBytes(b, addr, 1000), "bytes/conn")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkCompare runs both servers side by side, alternating, and prints
// the README's table. Run it once: -benchtime 1x.
func BenchmarkCompare(b *testing.B) {
	clients, messages := *compareClients, *compareMessages
	type row struct {
		plain, stalled []loadResult
		idle, allocs10 []float64
	}
	rows := map[string]*row{hubTarget.name: {}, exampleTarget.name: {}}
	for round := range *compareRounds {
		order := []loadTarget{hubTarget, exampleTarget}
		if round%2 == 1 { // alternate which goes first
			slices.Reverse(order)
		}
		for _, target := range order {
			r := rows[target.name]
			for _, stalled := range []bool{false, true} {
				addr, stop := target.start(b)
				res, err := runLoad(addr, clients, messages, stalled)
				stop()
				if err != nil {
					b.Fatalf("%s: %v", target.name, err)
				}
				if stalled {
					r.stalled = append(r.stalled, res)
				} else {
					r.plain = append(r.plain, res)
				}
			}
			addr, stop := target.start(b)
			res, err := runLoad(addr, 10, messages, false)
			if err == nil {
				r.allocs10 = append(r.allocs10, res.allocs)
				r.idle = append(r.idle, idleBytes(b, addr, clients))
			}
			stop()
			if err != nil {
				b.Fatalf("%s: %v", target.name, err)
			}
		}
	}
	med := func(rs []loadResult, f func(loadResult) float64) float64 {
		vs := make([]float64, len(rs))
		for i, r := range rs {
			vs[i] = f(r)
		}
		return median(vs)
	}
	hub, ex := rows[hubTarget.name], rows[exampleTarget.name]
	w := os.Stdout
	fmt.Fprintf(w, "\n%d clients, %d messages of %d bytes per run, at most %d in flight; medians of %d runs each, alternating; GOMAXPROCS %d\n\n",
		clients, messages, loadMessageSize, *inflight, *compareRounds, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "| | lesson hub | gorilla examples/chat design | lesson / example |\n| --- | ---: | ---: | ---: |\n")
	line := func(name string, h, e float64, format string) {
		fmt.Fprintf(w, "| %s | "+format+" | "+format+" | %.2f |\n", name, h, e, h/e)
	}
	dps := func(r loadResult) float64 { return r.deliveries }
	p50 := func(r loadResult) float64 { return float64(r.p50.Microseconds()) / 1000 }
	p99 := func(r loadResult) float64 { return float64(r.p99.Microseconds()) / 1000 }
	allocs := func(r loadResult) float64 { return r.allocs }
	frames := func(r loadResult) float64 { return r.frames }
	line("deliveries per second", med(hub.plain, dps), med(ex.plain, dps), "%.0f")
	line("WebSocket messages per delivery", med(hub.plain, frames), med(ex.plain, frames), "%.3f")
	line("p50 delivery latency (ms)", med(hub.plain, p50), med(ex.plain, p50), "%.2f")
	line("p99 delivery latency (ms)", med(hub.plain, p99), med(ex.plain, p99), "%.2f")
	line("p99 with one stalled client (ms)", med(hub.stalled, p99), med(ex.stalled, p99), "%.2f")
	line("allocations per broadcast, 10 clients", median(hub.allocs10), median(ex.allocs10), "%.1f")
	line(fmt.Sprintf("allocations per broadcast, %d clients", clients), med(hub.plain, allocs), med(ex.plain, allocs), "%.1f")
	line("memory per idle connection (KiB)", median(hub.idle)/1024, median(ex.idle)/1024, "%.1f")
	fmt.Fprintf(w, "\np99 stalled / p99 without: lesson hub %.2f, example %.2f\n",
		med(hub.stalled, p99)/med(hub.plain, p99), med(ex.stalled, p99)/med(ex.plain, p99))
	b.ReportMetric(0, "ns/op")
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}
