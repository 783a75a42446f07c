package report

import (
	"strings"
)

// net/http recovers a panic in a handler, logs it with the goroutine's stack
// and closes the connection, so the test sees only a broken connection. The
// lessons' test harnesses print the server's log when a test fails:
//
//	helpers_test.go:87: server log:
//	    2026/11/28 17:51:37 http: panic serving 127.0.0.1:57466: runtime error: index out of range [3] with length 2
//	    goroutine 5 [running]:
//	    net/http.(*conn).serve.func1()
//	    	/usr/local/go/src/net/http/server.go:1897 +0xff
//	    ...

const httpPanicMark = "http: panic serving "

// httpPanic returns where the first recovered handler panic at or after
// lines[from] starts (its log line) and ends (the index after its stack), or
// ok false.
func httpPanic(lines []string, from int) (start, end int, ok bool) {
	for i := from; i < len(lines); i++ {
		if !strings.Contains(lines[i], httpPanicMark) {
			continue
		}
		end = i + 1
		for end < len(lines) {
			switch {
			case goroutineHeader.MatchString(strings.TrimSpace(lines[end])):
				end++
			case isFrame(lines, end):
				end += 2
			default:
				return i, end, true
			}
		}
		return i, end, true
	}
	return 0, 0, false
}

// condenseHTTPPanic is the panic's message, from "http: panic serving" on
// (without the log's time), and its frames in the lesson's files.
func condenseHTTPPanic(block []string, dir string, rel func(string) string) []string {
	_, msg, _ := strings.Cut(block[0], httpPanicMark)
	s := &stack{dir: dir, rel: rel}
	out := []string{httpPanicMark + msg}
	for i := 1; i < len(block); {
		var frames []string
		frames, i = s.frames(block, i)
		out = append(out, frames...)
		if i < len(block) && !isFrame(block, i) {
			i++ // a goroutine header
		}
	}
	return append(out, s.leftOut()...)
}

// dropHTTPStacks keeps the log line of every recovered handler panic in
// lines and leaves out its stack.
func dropHTTPStacks(lines []string) []string {
	var out []string
	for from := 0; ; {
		start, end, ok := httpPanic(lines, from)
		if !ok {
			return append(out, lines[from:]...)
		}
		out = append(out, lines[from:start+1]...)
		from = end
	}
}
