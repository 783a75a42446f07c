package main

import (
	"errors"
	"net"
	"testing"
	"time"
)

func TestGorillaStalledReader(t *testing.T) { testStalledReader(t, gorillaEndpoint) }

func TestCoderStalledReader(t *testing.T) { testStalledReader(t, coderEndpoint) }

// testStalledReader sends echo requests and never reads the echoes. They pile
// up in the TCP buffers until the server's write blocks; a server with a
// deadline on every write then gives up after -write-wait and closes the
// connection, which the client sees as its own writes failing.
func testStalledReader(t *testing.T, ep endpoint) {
	checkNoLeaks(t)
	const wait = 200 * time.Millisecond
	ts := startServer(t, "-write-wait", wait.String())
	requireUpgrade(t, ts, ep)
	checkLeftOpen(t, ep) // the test ends when the server closes the connection
	c := dialRaw(t, ts, ep)
	msg := clientFrame(whole(binMsg(repeat('s', 32<<10))), [4]byte{7, 7, 7, 7})
	limit := wait + 2*time.Second
	start := time.Now()
	c.conn.SetWriteDeadline(start.Add(limit)) // one deadline for the whole loop
	sent := 0
	for {
		_, err := c.conn.Write(msg)
		if err == nil {
			sent++
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("%s -write-wait %v: sent %d messages of 32 KiB and read none of their echoes; %v later the server still held the connection, so its write must be blocked for good. Want the write to fail after about %v and the connection closed: does every write have a deadline (gorilla: SetWriteDeadline before each write; coder: a context with a timeout)? (look at %s)",
				ep.path, wait, sent, limit, wait, ep.file)
		}
		t.Logf("the server closed the connection %v after the first write (%d messages sent): %v", time.Since(start).Round(time.Millisecond), sent, err)
		return
	}
}
