// Command flood is a client for showing in class what happens to a client
// that falls behind (see "Watch the protocol" in the lesson's README): it
// publishes a burst of large messages through the hub, and reads everything
// the hub sends it until the connection ends or -wait passes, then says how
// many messages it read and how the connection ended.
//
//	go run ./cmd/flood -addr 127.0.0.1:8080 -n 150 -size 48k
//	go run ./cmd/flood -addr 127.0.0.1:8080 -n 0 -wait 20s   # only read
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "`host:port` of the lesson's server, or of make trace-3's proxy")
	n := flag.Int("n", 150, "how many messages to publish")
	size := flag.String("size", "48k", "size of each message in bytes (k = 1024)")
	wait := flag.Duration("wait", time.Second, "how long to go on reading after publishing")
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

	ended := make(chan string, 1)
	read := 0
	go func() { // always reading, so that only a stall in between makes this client slow
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				if ce, ok := errors.AsType[*websocket.CloseError](err); ok {
					ended <- fmt.Sprintf("closed by the server with %d %q", ce.Code, ce.Text)
				} else {
					ended <- err.Error()
				}
				return
			}
			read++
		}
	}()

	body := strings.Repeat("x", max(bytes-5, 0))
	for i := range *n {
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
		fmt.Printf("flood: read %d messages, then %s\n", read, how)
	case <-time.After(*wait):
		fmt.Printf("flood: read %d messages in %v after publishing; still connected\n", read, *wait)
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
