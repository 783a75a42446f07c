package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
)

// BenchmarkEcho measures echo round trips, one message at a time, against
// /ws, /ws/coder and a plain TCP echo that does no WebSocket work at all: the
// floor set by the network stack and the Go scheduler.
//
// The client is a minimal WebSocket client that sends ready-made masked
// frames and reads the echo into a reused buffer. It allocates nothing per
// round trip, so allocs/op and B/op are the server's own. Messages are ASCII
// text, so the servers' UTF-8 check is part of the price.
//
//	go test -run '^$' -bench Echo -count 6 | tee bench.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /server bench.txt
func BenchmarkEcho(b *testing.B) {
	ts := startServer(b, "-ping-period", "1h") // no pings among the echoes
	for _, size := range []int{16, 1 << 10, 64 << 10} {
		msg := repeat('x', size)
		b.Run(fmt.Sprintf("size=%s/server=tcp", sizeName(size)), func(b *testing.B) {
			benchTCP(b, msg)
		})
		for _, ep := range []endpoint{gorillaEndpoint, coderEndpoint} {
			b.Run(fmt.Sprintf("size=%s/server=%s", sizeName(size), ep.name), func(b *testing.B) {
				benchWebSocket(b, ts, ep, msg)
			})
		}
	}
}

func sizeName(n int) string {
	if n >= 1<<10 {
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

func benchWebSocket(b *testing.B, ts *testServer, ep endpoint, msg []byte) {
	c := dialRaw(b, ts, ep)
	out := clientFrame(frame{fin: true, op: opText, payload: msg}, [4]byte{1, 2, 3, 4})
	in := make([]byte, len(msg))
	var hdr [8]byte
	br := bufio.NewReaderSize(c.conn, 64<<10)

	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.conn.Write(out); err != nil {
			b.Fatal(err)
		}
		if err := readEcho(br, hdr[:], in); err != nil {
			b.Fatalf("%s: %v", ep.path, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}

// readEcho reads one server message of len(in) bytes, in one frame or more.
func readEcho(br *bufio.Reader, hdr, in []byte) error {
	for got := 0; ; {
		if _, err := io.ReadFull(br, hdr[:2]); err != nil {
			return err
		}
		fin, op, n := hdr[0]&0x80 != 0, hdr[0]&0x0F, int(hdr[1]&0x7F)
		if op != opText && op != opCont {
			return fmt.Errorf("got a frame with opcode %#x; want the text echo", op)
		}
		switch n {
		case 126:
			if _, err := io.ReadFull(br, hdr[:2]); err != nil {
				return err
			}
			n = int(binary.BigEndian.Uint16(hdr[:2]))
		case 127:
			if _, err := io.ReadFull(br, hdr[:8]); err != nil {
				return err
			}
			n = int(binary.BigEndian.Uint64(hdr[:8]))
		}
		if got+n > len(in) {
			return fmt.Errorf("echo of %d bytes or more; want %d", got+n, len(in))
		}
		if _, err := io.ReadFull(br, in[got:got+n]); err != nil {
			return err
		}
		got += n
		if fin {
			if got != len(in) {
				return fmt.Errorf("echo of %d bytes; want %d", got, len(in))
			}
			return nil
		}
	}
}

// benchTCP is the baseline: the same round trips over plain TCP to a
// goroutine that writes back whatever it reads.
func benchTCP(b *testing.B, msg []byte) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		buf := make([]byte, 64<<10)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			if _, err := conn.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	defer func() {
		ln.Close()
		<-served
	}()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	in := make([]byte, len(msg))

	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conn.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(conn, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}
