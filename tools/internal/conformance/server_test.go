package conformance

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"wscourse/tools/internal/wsframe"
)

// faults are the ways a test server can get RFC 6455 wrong; the zero value
// is a correct echo server.
type faults struct {
	ignoreRSV        bool // takes frames with reserved bits set
	noUTF8           bool // echoes text and close reasons that are not UTF-8
	lateUTF8         bool // checks UTF-8 only once the message is whole
	resetOnClose     bool // answers a close frame by resetting TCP
	noPong           bool // never answers a ping
	noLimit          bool // takes messages of any size
	lateLimit        bool // notices the limit only as the payload passes it
	reservedOpcodes  bool // skips frames with reserved opcodes
	noReassemble     bool // echoes every data frame as a message of its own
	noControlChecks  bool // takes control frames over 125 bytes or fragmented
	badCloseCodes    bool // echoes any close code and 1-byte close bodies
	always1000       bool // every close it sends says 1000
	keepTCP          bool // never closes TCP itself
	noMaskCheck      bool // takes unmasked frames
	noSequenceChecks bool // takes continuations with no message and new messages inside one
	oneRead          bool // expects every frame whole in one read
	no64bit          bool // refuses 64-bit lengths
	echoAfterClose   bool // goes on after the client's close frame
	textAsBinary     bool // echoes text messages as binary
	binaryAsText     bool // echoes binary messages as text
	echoPongs        bool // answers pongs with pongs
	bmpOnly          bool // refuses 4-byte characters, as a 3-byte "utf8" does
	answer1005       bool // answers an empty close with code 1005 on the wire
	dropOnClose      bool // answers a close frame by closing TCP, no close frame
	longReason       bool // answers a close with its own words before the reason
	badLengths       bool // takes the 16-bit form from 127 bytes, the 64-bit from 65537
}

// testServer is an echo server written for these tests on net.Conn.
type testServer struct {
	ln    net.Listener
	f     faults
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
}

// checkNoLeaks fails t if goroutines started during it outlive it: the
// servers' and Run's goroutines must all end with their connections.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		// Closed connections end their goroutines soon, not at once.
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			t.Errorf("%d goroutines before the test, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	})
}

// startServer starts a test server with faults f and returns its URL; the
// server and every connection end with the test.
func startServer(t *testing.T, f faults) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{ln: ln, f: f, conns: map[net.Conn]bool{}}
	s.wg.Go(s.accept)
	t.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return "ws://" + ln.Addr().String() + "/ws"
}

func (s *testServer) accept() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[nc] = true
		s.mu.Unlock()
		s.wg.Go(func() {
			defer func() {
				s.mu.Lock()
				delete(s.conns, nc)
				s.mu.Unlock()
				_ = nc.Close()
			}()
			s.serve(nc)
		})
	}
}

// serve answers the handshake and echoes until the connection ends.
func (s *testServer) serve(nc net.Conn) {
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second)) // no test holds a connection longer
	br := bufio.NewReaderSize(nc, 1<<20)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	key := req.Header.Get("Sec-WebSocket-Key")
	if !hasToken(req.Header, "Upgrade", "websocket") || key == "" {
		_, _ = io.WriteString(nc, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		return
	}
	_, _ = fmt.Fprintf(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acceptKey(key))
	c := &serverConn{nc: nc, br: br, f: s.f}
	c.echo()
}

// serverConn is one connection of the test server.
type serverConn struct {
	nc net.Conn
	br *bufio.Reader
	f  faults
}

// failure ends the echo loop with a close frame carrying code.
type failure struct {
	code   uint16
	reason string
}

func (e *failure) Error() string { return fmt.Sprintf("close %d %s", e.code, e.reason) }

// serverFrame is a frame as the server reads it.
type serverFrame struct {
	fin     bool
	op      byte
	payload []byte
}

// readFrame reads a client frame, refusing what RFC 6455 forbids (less the
// faults) from the header, before reading the payload; used is how much of
// the message limit the message so far has used.
func (c *serverConn) readFrame(used int) (serverFrame, error) {
	r := io.Reader(c.br)
	if c.f.oneRead {
		// Only what one read brought: a frame cut across reads is "broken".
		if _, err := c.br.Peek(1); err != nil {
			return serverFrame{}, err
		}
		r = io.LimitReader(c.br, int64(c.br.Buffered()))
	}
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return serverFrame{}, c.cut(err)
	}
	f := serverFrame{fin: h[0]&0x80 != 0, op: h[0] & 0x0F}
	if h[0]&0x70 != 0 && !c.f.ignoreRSV {
		return f, &failure{1002, "reserved bits"}
	}
	known := f.op <= opBinary || f.op >= opClose && f.op <= opPong
	if !known && !c.f.reservedOpcodes {
		return f, &failure{1002, "reserved opcode"}
	}
	if h[1]&0x80 == 0 && !c.f.noMaskCheck {
		return f, &failure{1002, "not masked"}
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return f, c.cut(err)
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		if c.f.no64bit {
			return f, &failure{1002, "64-bit lengths not supported"}
		}
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return f, c.cut(err)
		}
		n = binary.BigEndian.Uint64(ext[:])
		if n>>63 != 0 {
			return f, &failure{1002, "length with its top bit set"}
		}
	}
	if f.op >= opClose && !c.f.noControlChecks && (!f.fin || n > 125) {
		return f, &failure{1002, "bad control frame"}
	}
	over := f.op < opClose && uint64(used)+n > Limit
	if over && !c.f.noLimit && !c.f.lateLimit {
		return f, &failure{1009, "too big"}
	}
	var key [4]byte
	if h[1]&0x80 != 0 {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return f, c.cut(err)
		}
	}
	if over {
		// Read on without keeping it: past the limit for lateLimit, for
		// ever (a 4 GiB frame) for noLimit when the frame is that big.
		if c.f.lateLimit {
			if _, err := io.CopyN(io.Discard, r, int64(Limit-used+1)); err != nil {
				return f, c.cut(err)
			}
			return f, &failure{1009, "too big"}
		}
		if n > 16<<20 {
			_, _ = io.Copy(io.Discard, r)
			return f, io.EOF
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return f, c.cut(err)
	}
	for i := range f.payload {
		f.payload[i] ^= key[i%4]
	}
	return f, nil
}

// cut is the error for a stream that ended inside a frame: for oneRead, a
// frame that did not come whole in one read.
func (c *serverConn) cut(err error) error {
	if c.f.oneRead && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		return &failure{1002, "frame cut across reads"}
	}
	return err
}

// write sends a server frame.
func (c *serverConn) write(op byte, payload []byte) error {
	switch {
	case op == opText && c.f.textAsBinary:
		op = opBinary
	case op == opBinary && c.f.binaryAsText:
		op = opText
	}
	small, medium := 126, 1<<16
	if c.f.badLengths {
		small, medium = 127, 1<<16+1
	}
	b := []byte{0x80 | op}
	switch n := len(payload); {
	case n < small:
		b = append(b, byte(n))
	case n < medium:
		b = binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
	_, err := c.nc.Write(append(b, payload...))
	return err
}

// validPrefix reports whether msg could begin a UTF-8 text: valid except
// for a character cut at its end.
func validPrefix(msg []byte) bool {
	cut := len(msg)
	for k := 1; k <= 3 && k <= len(msg); k++ {
		if tail := msg[len(msg)-k:]; utf8.RuneStart(tail[0]) {
			if !utf8.FullRune(tail) {
				cut = len(msg) - k
			}
			break
		}
	}
	return utf8.Valid(msg[:cut])
}

// echo runs the connection: echo messages, answer pings, close.
func (c *serverConn) echo() {
	var (
		msg   []byte
		msgOp byte
		open  bool // a fragmented message has begun
	)
	for {
		f, err := c.readFrame(len(msg))
		var fail *failure
		if errors.As(err, &fail) {
			c.closeWith(fail.code, fail.reason)
			return
		}
		if err != nil {
			return
		}
		switch f.op {
		case opPing:
			if !c.f.noPong {
				if c.write(opPong, f.payload) != nil {
					return
				}
			}
			continue
		case opPong:
			if c.f.echoPongs && c.write(opPong, f.payload) != nil {
				return
			}
			continue
		case opClose:
			if !c.answerClose(f.payload) {
				return
			}
			continue
		case opCont:
			if !open {
				if c.f.noSequenceChecks {
					continue
				}
				c.closeWith(1002, "nothing to continue")
				return
			}
			msg = append(msg, f.payload...)
		case opText, opBinary:
			if open && !c.f.noSequenceChecks {
				c.closeWith(1002, "new message inside a fragmented one")
				return
			}
			msgOp, msg, open = f.op, append(msg[:0], f.payload...), true
		default:
			continue // a reserved opcode, skipped by the reservedOpcodes fault
		}
		if c.f.noReassemble {
			if c.write(msgOp, f.payload) != nil {
				return
			}
			msg, open = msg[:0], !f.fin
			continue
		}
		text := msgOp == opText && !c.f.noUTF8
		if text && !c.f.lateUTF8 && !validPrefix(msg) || text && f.fin && !utf8.Valid(msg) ||
			text && c.f.bmpOnly && bytes.ContainsFunc(msg, func(r rune) bool { return r > 0xFFFF }) {
			c.closeWith(1007, "not UTF-8")
			return
		}
		if !f.fin {
			continue
		}
		open = false
		if c.write(msgOp, msg) != nil {
			return
		}
		msg = msg[:0]
	}
}

// answerClose answers the client's close frame and reports whether to go
// on reading (only with the echoAfterClose fault).
func (c *serverConn) answerClose(body []byte) bool {
	if c.f.resetOnClose {
		if tc, ok := c.nc.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		return false
	}
	switch {
	case len(body) == 0:
	case c.f.badCloseCodes:
	case len(body) == 1:
		c.closeWith(1002, "1-byte close body")
		return false
	case !wsframe.ValidCloseCode(binary.BigEndian.Uint16(body)):
		c.closeWith(1002, "invalid close code")
		return false
	case !utf8.Valid(body[2:]) && !c.f.noUTF8:
		c.closeWith(1007, "close reason not UTF-8")
		return false
	}
	reply := body
	switch {
	case c.f.dropOnClose:
		c.finish()
		return false
	case len(body) == 0 && c.f.answer1005:
		reply = closeBody(1005, "")
	case len(body) < 2:
	case c.f.always1000:
		reply = closeBody(1000, "")
	case c.f.longReason:
		reply = closeBody(binary.BigEndian.Uint16(body), "goodbye: "+string(body[2:]))
	}
	if c.write(opClose, reply) != nil {
		return false
	}
	if c.f.echoAfterClose {
		return true
	}
	c.finish()
	return false
}

// closeWith sends a close frame with code and ends the connection.
func (c *serverConn) closeWith(code uint16, reason string) {
	if c.f.always1000 {
		code = 1000
	}
	if c.write(opClose, closeBody(code, reason)) == nil {
		c.finish()
	}
}

// finish closes TCP after the server's close frame, first reading what the
// client still sends so that unread bytes do not turn the close into a reset.
func (c *serverConn) finish() {
	if c.f.keepTCP {
		_, _ = io.Copy(io.Discard, c.nc) // until the client gives up
		return
	}
	if tc, ok := c.nc.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _ = io.Copy(io.Discard, c.nc)
}
