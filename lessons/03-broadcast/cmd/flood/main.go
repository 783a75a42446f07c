// Command flood is a client for showing in class what happens to a client
// that falls behind (see "Watch the protocol" in the lesson's README): it
// publishes a burst of large messages through the hub, never more than
// -inflight of them ahead of what it has read back, so that it keeps up
// itself, and reads everything the hub sends it until the connection ends or
// -wait passes, then says how many messages it read and how the connection
// ended.
//
//	go run ./cmd/flood -addr 127.0.0.1:8080 -n 150 -size 48k -delay 3s
//	go run ./cmd/flood -addr 127.0.0.1:8080 -n 0 -wait 20s   # only read
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`host:port` of the lesson's server, or of make trace-3's proxy")
	n := flag.Int("n", 150, "how many messages to publish")
	size := flag.String("size", "48k", "size of each message in bytes (k = 1024)")
	wait := flag.Duration("wait", time.Second, "how long to go on reading after publishing")
	inflight := flag.Int("inflight", 8, "publish at most this many messages ahead of those read back")
	delay := flag.Duration("delay", 0, "how long to wait after connecting before publishing (to publish while make trace-3 stalls another client)")
	flag.Parse()
	bytes, err := parseSize(*size)
	if err != nil {
		log.Fatalf("flood: -size: %v", err)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+*addr+"/ws", nil)
	if err != nil {
		log.Fatalf("flood: %v", err)
	}
	defer ws.Close()

	if *inflight < 1 {
		log.Fatalf("flood: -inflight must be at least 1, got %d", *inflight)
	}
	ended := make(chan string, 1)
	var read atomic.Int64
	ahead := make(chan struct{}, *inflight) // a slot for each message not yet read back
	// Always reading, so that only a stall in between makes this client slow.
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				if ce, ok := errors.AsType[*websocket.CloseError](err); ok {
					ended <- fmt.Sprintf("closed by the server with %d %q", ce.Code, ce.Text)
				} else {
					ended <- err.Error()
				}
				return
			}
			read.Add(1)
			select {
			case <-ahead:
			default: // another client's message
			}
		}
	}()

	if *n > 0 && *delay > 0 {
		fmt.Printf("flood: connected; publishing in %v\n", *delay)
		time.Sleep(*delay) // reading goes on meanwhile
	}
	body := strings.Repeat("x", max(bytes-5, 0))
	for i := range *n {
		select {
		case ahead <- struct{}{}:
		case how := <-ended:
			log.Fatalf("flood: after publishing %d messages, read %d, then %s", i, read.Load(), how)
		}
		ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := ws.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf("%04d %s", i, body))); err != nil {
			log.Fatalf("flood: message %d: %v", i, err)
		}
	}
	if *n > 0 {
		fmt.Printf("flood: published %d messages of %d bytes\n", *n, bytes)
	}
	select {
	case how := <-ended:
		fmt.Printf("flood: read %d messages, then %s\n", read.Load(), how)
	case <-time.After(*wait):
		fmt.Printf("flood: read %d messages in %v after publishing; still connected\n", read.Load(), *wait)
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	}
}

// parseSize reads "48k" or "1000".
func parseSize(s string) (int, error) {
	mult := 1
	if rest, ok := strings.CutSuffix(strings.ToLower(s), "k"); ok {
		s, mult = rest, 1024
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 48k", s)
	}
	return n * mult, nil
}
