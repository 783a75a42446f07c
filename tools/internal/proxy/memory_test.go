package proxy

import (
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// BenchmarkMemoryPerConn measures the heap the proxy holds for a connection:
// idle, and with the server writing a busy stream (100-byte writes every
// millisecond) under 200 ms of latency, which keeps 200 reads in flight. The
// test's own client and server ends are counted without the proxy first,
// and taken away. Run it with
// `go test -run - -bench MemoryPerConn -benchtime 1x ./internal/proxy`.
func BenchmarkMemoryPerConn(b *testing.B) {
	for _, bc := range []struct {
		name    string
		latency time.Duration
		busy    bool
	}{
		{"idle", 0, false},
		{"busy, 200ms latency", 200 * time.Millisecond, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				direct := memoryPerConn(b, 50, bc.latency, bc.busy, false)
				proxied := memoryPerConn(b, 50, bc.latency, bc.busy, true)
				b.ReportMetric(proxied-direct, "B/conn")
			}
		})
	}
}

// memoryPerConn opens n connections to a server that writes a stream to
// each when busy, through a proxy with latency or not, and returns the heap
// in use per connection once the stream has filled the latency.
func memoryPerConn(b *testing.B, n int, latency time.Duration, busy, viaProxy bool) float64 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				if !busy {
					<-stop
					return
				}
				msg := make([]byte, 100)
				t := time.NewTicker(time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						if _, err := c.Write(msg); err != nil {
							return
						}
					}
				}
			})
		}
	})
	addr := ln.Addr().String()
	var p *Proxy
	if viaProxy {
		pln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		p = New(Config{Server: addr, Out: io.Discard, Faults: Faults{LatencyToServer: latency, LatencyToClient: latency}})
		go p.Serve(pln)
		addr = pln.Addr().String()
	}

	before := heapInUse()
	var clients []net.Conn
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		clients = append(clients, c)
		wg.Go(func() { io.Copy(io.Discard, c) })
	}
	// Long enough for every connection to be open and its latency filled.
	time.Sleep(latency + 500*time.Millisecond)
	perConn := float64(heapInUse()-before) / float64(n)

	close(stop)
	for _, c := range clients {
		c.Close()
	}
	if p != nil {
		p.Close()
	}
	ln.Close()
	wg.Wait()
	return perConn
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
