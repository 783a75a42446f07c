package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// echoCase is one conversation with an endpoint: the frames the client sends,
// then what it must get back, in order.
type echoCase struct {
	name string
	// raw cases are written frame by frame over TCP: a library client would
	// refuse to send them, or cannot split a message into frames. The others
	// go through the other library's client.
	raw  bool
	send []frame
	want []event
	// garbled: a frame no reader can step over, so that nothing after it
	// can be read as frames: the client sends nothing more.
	garbled bool
	why     string // said when the case fails, where the cause is not plain
}

// echoCases run against both endpoints.
var echoCases = func() []echoCase {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	var many []frame
	var manyEchoes []event
	for i := range 100 {
		e := text(fmt.Sprintf("message %d", i))
		if i%2 == 1 {
			e = binMsg([]byte{byte(i), 0, byte(i)})
		}
		many = append(many, whole(e))
		manyEchoes = append(manyEchoes, e)
	}
	frag := func(op byte, s string) frame { return frame{op: op, payload: []byte(s)} }
	last := func(s string) frame { return frame{fin: true, op: opCont, payload: []byte(s)} }
	bin := func(fin bool, op byte, n int) frame { return frame{fin: fin, op: op, payload: repeat('b', n)} }
	// pieces splits a binary message of n bytes into frames of size bytes
	// (the last may be shorter).
	pieces := func(n, size int) []frame {
		var fs []frame
		for sent := 0; sent < n; sent += size {
			op := opCont
			if sent == 0 {
				op = opBinary
			}
			m := min(size, n-sent)
			fs = append(fs, bin(sent+m == n, op, m))
		}
		return fs
	}

	return []echoCase{
		// Well-formed messages, sent by the other library's client.
		{name: "text", send: []frame{whole(text("hello, WebSocket"))}, want: []event{text("hello, WebSocket")}},
		{name: "binary", send: []frame{whole(binMsg(all))}, want: []event{binMsg(all)}},
		{name: "UTF-8 text", send: []frame{whole(text("héllo wörld ✓ 世界 👋"))}, want: []event{text("héllo wörld ✓ 世界 👋")}},
		{name: "empty text", send: []frame{whole(text(""))}, want: []event{text("")}},
		{name: "empty binary", send: []frame{whole(binMsg(nil))}, want: []event{binMsg(nil)}},
		{name: "100 messages in order", send: many, want: manyEchoes},
		{name: "64 KiB message", send: []frame{whole(binMsg(repeat('x', maxMessageSize)))}, want: []event{binMsg(repeat('x', maxMessageSize))}},

		// Frame by frame.
		{name: "binary that is not UTF-8", raw: true,
			send: []frame{whole(binMsg([]byte{0xff, 0xfe, 0xfd}))}, want: []event{binMsg([]byte{0xff, 0xfe, 0xfd})}},
		{name: "fragmented text", raw: true,
			send: []frame{frag(opText, "hel"), frag(opCont, "lo, "), last("world")}, want: []event{text("hello, world")}},
		{name: "a character split across fragments", raw: true,
			send: []frame{frag(opText, "caf\xc3"), last("\xa9")}, want: []event{text("café")}},
		{name: "ping", raw: true,
			send: []frame{whole(ping("are you there?")), whole(text("still here"))}, want: []event{pong("are you there?"), text("still here")}},
		{name: "two pings", raw: true,
			send: []frame{whole(ping("one")), whole(ping("two")), whole(text("after"))}, want: []event{pong("one"), pong("two"), text("after")}},
		{name: "ping between fragments", raw: true,
			send: []frame{frag(opText, "hel"), whole(ping("p")), last("lo")}, want: []event{pong("p"), text("hello")}},
		{name: "two fragmented messages in a row", raw: true,
			send: []frame{frag(opText, "one "), last("two"), frag(opBinary, "three "), last("four")}, want: []event{text("one two"), binMsg([]byte("three four"))}},
		{name: "65535 bytes in one frame pass", raw: true,
			send: []frame{bin(true, opBinary, 65535)}, want: []event{binMsg(repeat('b', 65535))}},
		{name: "65536 bytes in one frame pass", raw: true,
			send: []frame{bin(true, opBinary, 65536)}, want: []event{binMsg(repeat('b', 65536))}},
		{name: "65536 bytes in two frames pass", raw: true,
			send: []frame{bin(false, opBinary, 32768), bin(true, opCont, 32768)}, want: []event{binMsg(repeat('b', 65536))}},
		{name: "65536 bytes in 64 frames pass", raw: true,
			send: pieces(65536, 1024), want: []event{binMsg(repeat('b', 65536))}},
		{name: "65537 bytes in one frame: 1009", raw: true,
			send: []frame{bin(true, opBinary, 65537)}, want: []event{closeWith(1009)}},
		{name: "65537 bytes in three frames: 1009", raw: true,
			send: []frame{bin(false, opBinary, 32768), bin(false, opCont, 32768), bin(true, opCont, 1)}, want: []event{closeWith(1009)}},
		{name: "65537 bytes in 65 frames: 1009", raw: true,
			send: pieces(65537, 1024), want: []event{closeWith(1009)}},
		{name: "a 64-bit length with its top bit set: 1002", raw: true,
			send: []frame{{fin: true, op: opBinary, claim: 1<<63 | 5, payload: []byte("hello")}}, want: []event{closeWith(1002)}, garbled: true,
			why: "RFC 6455 (5.2) forbids a length with its top bit set. gorilla returns websocket.ErrReadLimit for it, as for a message over the limit, but sends no close frame; coder returns an error and sends none either. Send 1002 yourself (gorilla refuses a second close with ErrCloseSent, so after its own 1009 yours is not sent)"},
		{name: "an unmasked frame: 1002", raw: true,
			send: []frame{{fin: true, op: opText, payload: []byte("hello"), unmasked: true}}, want: []event{closeWith(1002)}, garbled: true,
			why: "every frame a client sends must be masked (RFC 6455, 5.1). gorilla answers 1002 itself; coder returns an error and sends nothing: for an error that is not a close, a read limit or the peer gone, send 1002 yourself"},
		{name: "text that is not UTF-8: 1007", raw: true,
			send: []frame{whole(text("bad \xff byte"))}, want: []event{closeWith(1007)}},
		{name: "text cut inside a character: 1007", raw: true,
			send: []frame{frag(opText, "caf"), last("\xc3")}, want: []event{closeWith(1007)}},
		{name: "echoes before 1007 arrive first", raw: true,
			send: []frame{whole(text("one")), whole(text("two")), whole(text("bad \xc3\x28"))}, want: []event{text("one"), text("two"), closeWith(1007)}},
		{name: "close 1000 answered with 1000", raw: true,
			send: []frame{whole(closeWith(1000))}, want: []event{closeWith(1000)}},
		{name: "close 4000 answered with 4000", raw: true,
			send: []frame{whole(closeWith(4000))}, want: []event{closeWith(4000)}},
		{name: "close without a code answered without one", raw: true,
			send: []frame{whole(closeWith(1005))}, want: []event{closeWith(1005)}},
		{name: "echoes before close arrive first", raw: true,
			send: []frame{whole(text("one")), whole(binMsg([]byte("two"))), whole(closeWith(1000))}, want: []event{text("one"), binMsg([]byte("two")), closeWith(1000)}},
	}
}()

func TestGorillaEcho(t *testing.T) { testEcho(t, gorillaEndpoint) }

func TestCoderEcho(t *testing.T) { testEcho(t, coderEndpoint) }

func testEcho(t *testing.T, ep endpoint) {
	checkNoLeaks(t)
	ts := startServer(t)
	requireUpgrade(t, ts, ep)
	for _, tc := range echoCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want[len(tc.want)-1].op == opClose {
				// The test checks that the handler closes the connection.
				defer noGC()()
			}
			var c client
			if tc.raw {
				c = dialRaw(t, ts, ep)
			} else {
				c = ep.dialOther(t, ts, ep.path)
			}
			sent := make([]string, len(tc.send))
			for i, f := range tc.send {
				sent[i] = f.String()
				require.NoErrorf(t, c.send(f), "%s: sending %s", ep.path, f)
			}
			where := fmt.Sprintf("%s: after sending %s", ep.path, strings.Join(sent, ", "))
			look := "look at " + ep.file
			if tc.why != "" {
				look = tc.why + "; " + look
			}
			for i, want := range tc.want {
				got, err := c.next()
				require.NoErrorf(t, err, "%s: reading reply %d of %d; want %s (%s)", where, i+1, len(tc.want), want, look)
				if !got.sameAs(want) {
					require.Failf(t, "wrong reply",
						"%s:\nreply %d of %d: got  %s\n              want %s\n(%s)", where, i+1, len(tc.want), got, want, look)
				}
			}
			raw, ok := c.(*rawClient)
			if !ok || tc.want[len(tc.want)-1].op != opClose {
				return
			}
			// The close handshake: the side that closed second answers;
			// then the server closes the TCP connection.
			if tc.send[len(tc.send)-1].op != opClose && !tc.garbled {
				// The server closed first. A client may still be sending
				// (the rest of a message) when the close frame reaches it:
				// the server must read that away, not reset.
				require.NoErrorf(t, raw.sendOn(), "%s, then the client sent 64 KiB more before its close frame (look at %s)", where, ep.file)
				raw.send(whole(tc.want[len(tc.want)-1])) // may fail if the server is already gone
			}
			require.NoErrorf(t, raw.expectClosed(), "%s, and the close handshake (look at %s)", where, ep.file)
		})
	}

	t.Run("client leaves without a close frame", func(t *testing.T) {
		// The client ends its side of TCP (FIN) with no close frame: the
		// read fails, no library closes for you, and the handler must.
		defer noGC()() // the garbage collector would close a lost connection
		c := dialRaw(t, ts, ep)
		require.NoError(t, c.send(whole(text("bye"))))
		e, err := c.next() // the handler is surely running now
		require.NoErrorf(t, err, "%s: waiting for an echo (look at %s)", ep.path, ep.file)
		require.Truef(t, e.sameAs(text("bye")), "%s: got %s; want text \"bye\" (look at %s)", ep.path, e, ep.file)
		require.NoError(t, c.conn.(*net.TCPConn).CloseWrite(), "end the client's side of the TCP connection")
		err = c.awaitEnd(readTimeout)
		switch {
		case errors.Is(err, errLeftOpen):
			require.FailNowf(t, "connection left open", "%s: the client ended its side of TCP without a close frame; %v (look at %s)", ep.path, notClosed(ep, c.test, c.test), ep.file)
		case err == nil:
			f, _ := c.readFrame(readTimeout)
			require.FailNowf(t, "frame to a peer that left", "%s: the client ended its side of TCP without a close frame: got %s; want the connection closed (look at %s)", ep.path, f, ep.file)
		case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		default:
			require.FailNowf(t, "connection not closed", "%s: the client ended its side of TCP without a close frame: %v; want the connection closed (look at %s)", ep.path, err, ep.file)
		}
	})

	// coder/websocket's Close waits for the peer's answer itself, a fixed 5s;
	// gorilla leaves the wait to the handler, which gives it s.cfg.closeWait.
	if ep.handler == "serveGorilla" {
		t.Run("client never answers the close frame", func(t *testing.T) {
			testUnanswered(t, ts, ep)
		})
	}
}

// testUnanswered has two clients make the server close (1009, 1007) and never
// answer, nor close: the handlers must give up closeWait after their close
// frames, not hold the connection until the read deadline.
func testUnanswered(t *testing.T, ts *testServer, ep endpoint) {
	defer noGC()()
	closeWait := defaultConfig.closeWait
	for _, f := range []frame{
		{fin: true, op: opBinary, payload: repeat('b', maxMessageSize+1)},
		whole(text("bad \xff byte")),
	} {
		c := dialRaw(t, ts, ep)
		require.NoErrorf(t, c.send(f), "%s: sending %s", ep.path, f)
		e, err := c.next()
		require.NoErrorf(t, err, "%s: after sending %s; want a close frame (look at %s)", ep.path, f, ep.file)
		require.Truef(t, e.op == opClose, "%s: after sending %s: got %s; want a close frame (look at %s)", ep.path, f, e, ep.file)
	}
	start := time.Now()
	limit := closeWait + 2*time.Second
	for handlerRunning(ep) {
		if time.Since(start) > limit {
			require.FailNowf(t, "handler waits on a silent peer",
				"%s: two clients got their close frames (1009, 1007) and never answered; %v later the handler still ran. Want it to give the peer s.cfg.closeWait (%v) to answer, then close: is there a read deadline on what you read after the close frame? (look at %s)",
				ep.path, limit, closeWait, ep.file)
		}
		time.Sleep(20 * time.Millisecond) // polling the handler, within limit
	}
}
