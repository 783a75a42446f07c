package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"wscourse/tools/internal/wsframe"
)

// maxHead is the longest request or response head the trace decodes; net/http
// allows 1 MB, browsers send a few KiB.
const maxHead = 64 << 10

// maxLine is the longest line of chunked framing the trace decodes.
const maxLine = 4 << 10

// hstate is where an httpParser is in a message.
type hstate int

const (
	hHead       hstate = iota // reading a head
	hBody                     // a body of known length
	hUntilClose               // a body that ends with the connection
	hChunkSize                // chunked: a chunk's size line
	hChunkData                // chunked: a chunk's data
	hChunkEnd                 // chunked: the CRLF after a chunk's data
	hTrailer                  // chunked: the trailer, up to an empty line
)

// event is what httpParser.next found.
type event int

const (
	evNone  event = iota // nothing complete yet
	evHead               // a head is complete: call body with what follows it
	evChunk              // a chunk of a chunked body has passed
	evEnd                // the message has ended
)

// httpParser reads HTTP/1.1 messages of one direction from the bytes as they
// pass, counting the bytes of heads and bodies.
type httpParser struct {
	state     hstate
	buf       []byte // the head, or a line of chunked framing, so far
	head      []byte // the last complete head
	left      int64  // bytes left of the body or the chunk
	bodyBytes int64  // bytes of the body on the wire so far, framing included
	chunks    int    // chunks of the body so far
	chunkLen  int64
	chunkData []byte // the start of the last chunk's data
}

// next reads from b up to the next event and returns how many bytes it used.
func (p *httpParser) next(b []byte) (int, event, error) {
	switch p.state {
	case hHead:
		return p.readHead(b)
	case hBody:
		n := min(int64(len(b)), p.left)
		p.left -= n
		p.bodyBytes += n
		if p.left == 0 {
			p.state = hHead
			return int(n), evEnd, nil
		}
		return int(n), evNone, nil
	case hUntilClose:
		p.bodyBytes += int64(len(b))
		return len(b), evNone, nil
	case hChunkData:
		n := min(int64(len(b)), p.left)
		if keep := wsframe.Kept - len(p.chunkData); keep > 0 {
			p.chunkData = append(p.chunkData, b[:min(int64(keep), n)]...)
		}
		p.left -= n
		p.bodyBytes += n
		if p.left == 0 {
			p.state = hChunkEnd
			return int(n), evChunk, nil
		}
		return int(n), evNone, nil
	}
	line, n, ok := p.readLine(b)
	p.bodyBytes += int64(n)
	if !ok {
		if len(p.buf) > maxLine {
			return n, evNone, errors.New("a line of chunked framing over 4 KiB")
		}
		return n, evNone, nil
	}
	switch p.state {
	case hChunkSize:
		hex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		size, err := strconv.ParseInt(hex, 16, 64)
		if err != nil || size < 0 {
			return n, evNone, fmt.Errorf("chunk size %q is not a hexadecimal number", line)
		}
		if size == 0 {
			p.state = hTrailer
			return n, evNone, nil
		}
		p.state, p.left, p.chunkLen, p.chunkData = hChunkData, size, size, p.chunkData[:0]
		p.chunks++
	case hChunkEnd:
		if strings.TrimSpace(line) != "" {
			return n, evNone, fmt.Errorf("chunk data followed by %q, not CRLF", line)
		}
		p.state = hChunkSize
	case hTrailer:
		if strings.TrimSpace(line) == "" {
			p.state = hHead
			return n, evEnd, nil
		}
	}
	return n, evNone, nil
}

// readHead collects a head up to its empty line.
func (p *httpParser) readHead(b []byte) (int, event, error) {
	prev := len(p.buf)
	p.buf = append(p.buf, b...)
	i := bytes.Index(p.buf[max(prev-3, 0):], []byte("\r\n\r\n"))
	if i < 0 {
		if len(p.buf) > maxHead {
			return len(b), evNone, errors.New("no end of the HTTP head in 64 KiB")
		}
		return len(b), evNone, nil
	}
	end := max(prev-3, 0) + i + 4
	p.head = append(p.head[:0], p.buf[:end]...)
	p.buf = p.buf[:0]
	return end - prev, evHead, nil
}

// readLine collects a line up to its LF; ok says whether it is complete.
func (p *httpParser) readLine(b []byte) (line string, n int, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		p.buf = append(p.buf, b...)
		return "", len(b), false
	}
	p.buf = append(p.buf, b[:i+1]...)
	line = strings.TrimRight(string(p.buf), "\r\n")
	p.buf = p.buf[:0]
	return line, i + 1, true
}

// bodyKind is how the end of a message's body is found (RFC 9112 section 6).
type bodyKind int

const (
	bodyNone bodyKind = iota
	bodyLength
	bodyChunked
	bodyUntilClose
)

// body starts reading the body of the head just read.
func (p *httpParser) body(kind bodyKind, length int64) {
	p.bodyBytes, p.chunks = 0, 0
	switch kind {
	case bodyLength:
		p.state, p.left = hBody, length
	case bodyChunked:
		p.state = hChunkSize
	case bodyUntilClose:
		p.state = hUntilClose
	default:
		p.state = hHead
	}
}

// midMessage describes a message begun and not finished, or is "".
func (p *httpParser) midMessage() string {
	switch {
	case p.state == hHead && len(p.buf) == 0:
		return ""
	case p.state == hHead:
		return fmt.Sprintf("HTTP head cut short after %d B", len(p.buf))
	case p.state == hUntilClose:
		return ""
	}
	return fmt.Sprintf("HTTP body cut short after %d B", p.bodyBytes)
}

// head is a parsed request or response head.
type head struct {
	size   int
	first  string      // the request line or the status line
	fields [][2]string // name and value, in the order sent
	method string      // of a request
	status int         // of a response
}

// parseHead reads a head; response says which kind it must be.
func parseHead(raw []byte, response bool) (head, error) {
	lines := strings.Split(strings.TrimSuffix(string(raw), "\r\n\r\n"), "\r\n")
	h := head{size: len(raw), first: lines[0]}
	parts := strings.SplitN(lines[0], " ", 3)
	switch {
	case response && (len(parts) < 2 || !strings.HasPrefix(parts[0], "HTTP/")):
		return h, fmt.Errorf("not an HTTP response: %q", cut(lines[0]))
	case response:
		code, err := strconv.Atoi(parts[1])
		if err != nil || code < 100 || code > 999 {
			return h, fmt.Errorf("not an HTTP status: %q", cut(lines[0]))
		}
		h.status = code
	case len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/"):
		return h, fmt.Errorf("not an HTTP request: %q", cut(lines[0]))
	default:
		h.method = parts[0]
	}
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return h, fmt.Errorf("not an HTTP header line: %q", cut(l))
		}
		h.fields = append(h.fields, [2]string{name, strings.TrimSpace(value)})
	}
	return h, nil
}

// cut shortens a line for an error message.
func cut(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// get returns the first value of the header name.
func (h head) get(name string) string {
	for _, f := range h.fields {
		if strings.EqualFold(f[0], name) {
			return f[1]
		}
	}
	return ""
}

// has reports whether the header name lists token, in any case.
func (h head) has(name, token string) bool {
	for _, f := range h.fields {
		if !strings.EqualFold(f[0], name) {
			continue
		}
		for t := range strings.SplitSeq(f[1], ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// lines returns the headers as sent, for printing.
func (h head) lines() []string {
	out := make([]string, len(h.fields))
	for i, f := range h.fields {
		out[i] = f[0] + ": " + f[1]
	}
	return out
}

// bodyOf returns how the body of the message with this head ends;
// request is the method of the request a response answers.
func (h head) bodyOf(response bool, request string) (bodyKind, int64, error) {
	if response && (h.status < 200 || h.status == 204 || h.status == 304 || request == "HEAD") {
		return bodyNone, 0, nil
	}
	if h.has("Transfer-Encoding", "chunked") {
		return bodyChunked, 0, nil
	}
	if cl := h.get("Content-Length"); cl != "" {
		n, err := strconv.ParseInt(cl, 10, 64)
		if err != nil || n < 0 {
			return bodyNone, 0, fmt.Errorf("Content-Length %q is not a length", cl)
		}
		if n == 0 {
			return bodyNone, 0, nil
		}
		return bodyLength, n, nil
	}
	if response {
		return bodyUntilClose, 0, nil
	}
	return bodyNone, 0, nil
}
