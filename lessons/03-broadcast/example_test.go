package main

import (
	"bytes"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// This file writes out the design of gorilla/websocket's examples/chat
// (v1.5.3: hub.go and client.go), the hub most Go programmers copy, so that
// bench_test.go can measure it beside the lesson's hub on the same machine.
// Nothing here comes from the example's code; the behaviour is the same:
//
//   - one hub goroutine owns the clients; register, unregister and broadcast
//     are unbuffered channels;
//   - a client's queue is a chan []byte of 256; a full one closes the queue
//     and drops the client;
//   - readPump replaces newlines in what it reads with spaces, trims it and
//     broadcasts it;
//   - writePump writes one message and then, into the same frame, everything
//     else already queued, separated by newlines;
//   - the upgrader has 1 KiB read and write buffers.
//
// Changes, none on the path a message takes: the read limit is the lesson's
// 64 KiB instead of 512 bytes, and the hub can be stopped (the example's runs
// for ever), so that benchmarks leave no goroutine behind.

const (
	exWriteWait      = 10 * time.Second
	exPongWait       = 60 * time.Second
	exPingPeriod     = exPongWait * 9 / 10
	exMaxMessageSize = maxMessageSize // the example's 512, raised to the lesson's limit
	exQueueSize      = 256
)

var (
	exNewline = []byte{'\n'}
	exSpace   = []byte{' '}
)

type exHub struct {
	clients    map[*exClient]bool
	broadcast  chan []byte
	register   chan *exClient
	unregister chan *exClient
	stop       chan struct{} // not in the example: ends run
}

func newExHub() *exHub {
	return &exHub{
		clients:    make(map[*exClient]bool),
		broadcast:  make(chan []byte),
		register:   make(chan *exClient),
		unregister: make(chan *exClient),
		stop:       make(chan struct{}),
	}
}

func (h *exHub) run() {
	for {
		select {
		case c := <-h.register:
			h.clients[c] = true
		case c := <-h.unregister:
			if _, ok := h.clients[c]; ok {
				delete(h.clients, c)
				close(c.send)
			}
		case msg := <-h.broadcast:
			for c := range h.clients {
				select {
				case c.send <- msg:
				default:
					close(c.send)
					delete(h.clients, c)
				}
			}
		case <-h.stop:
			return
		}
	}
}

type exClient struct {
	hub  *exHub
	conn *websocket.Conn
	send chan []byte
}

func (c *exClient) readPump() {
	defer func() {
		select { // the example sends unconditionally; its hub never stops
		case c.hub.unregister <- c:
		case <-c.hub.stop:
		}
		c.conn.Close()
	}()
	c.conn.SetReadLimit(exMaxMessageSize)
	c.conn.SetReadDeadline(time.Now().Add(exPongWait))
	c.conn.SetPongHandler(func(string) error { c.conn.SetReadDeadline(time.Now().Add(exPongWait)); return nil })
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		msg = bytes.TrimSpace(bytes.ReplaceAll(msg, exNewline, exSpace))
		select {
		case c.hub.broadcast <- msg:
		case <-c.hub.stop:
			return
		}
	}
}

func (c *exClient) writePump() {
	ticker := time.NewTicker(exPingPeriod)
	defer func() {
		ticker.Stop()
		c.conn.Close()
	}()
	for {
		select {
		case msg, ok := <-c.send:
			c.conn.SetWriteDeadline(time.Now().Add(exWriteWait))
			if !ok {
				c.conn.WriteMessage(websocket.CloseMessage, []byte{})
				return
			}
			w, err := c.conn.NextWriter(websocket.TextMessage)
			if err != nil {
				return
			}
			w.Write(msg)
			// Whatever else is queued goes into the same frame.
			for range len(c.send) {
				w.Write(exNewline)
				w.Write(<-c.send)
			}
			if err := w.Close(); err != nil {
				return
			}
		case <-ticker.C:
			c.conn.SetWriteDeadline(time.Now().Add(exWriteWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

var exUpgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024}

func (h *exHub) serveWs(w http.ResponseWriter, r *http.Request) {
	conn, err := exUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &exClient{hub: h, conn: conn, send: make(chan []byte, exQueueSize)}
	select {
	case h.register <- c:
	case <-h.stop:
		conn.Close()
		return
	}
	go c.writePump()
	go c.readPump()
}

// startExample serves the example's design on a free port, and returns its
// address and a function that stops it.
func startExample(tb testing.TB) (addr string, stop func()) {
	tb.Helper()
	h := newExHub()
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		h.run()
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", h.serveWs)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	var once sync.Once
	stop = func() {
		once.Do(func() {
			hs.Close()
			close(h.stop) // every readPump and serveWs gives up
			<-ran
			for c := range h.clients { // the hub is gone: its clients are ours
				close(c.send) // writePump says goodbye and closes
			}
		})
	}
	tb.Cleanup(stop)
	return ln.Addr().String(), stop
}
