package conformance

import (
	"fmt"
	"strings"
)

func closeCases(b *builder) {
	b.start(7, 1)
	for _, code := range []uint16{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		b.add(fmt.Sprintf("close %d with no reason", code),
			fmt.Sprintf("answer with a close frame, usually echoing %d, and close TCP (RFC 6455 sections 5.5.1, 7.1.1, 7.4)", code),
			func(s *session) error {
				s.send(closeF(closeBody(code, "")))
				s.sentClose = true
				return s.closed(answerTo(code))
			})
	}

	b.start(7, 2)
	for _, code := range []uint16{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535} {
		b.add(fmt.Sprintf("close %d, a code no endpoint may send", code),
			"close with 1002, as for any protocol error: the code is reserved, only for local use or out of range (sections 7.4.1, 7.4.2)",
			func(s *session) error {
				s.send(closeF(closeBody(code, "")))
				s.sentClose = true
				return s.closed(failWith(1002, fmt.Sprintf("close with 1002 for close code %d", code)))
			})
	}

	b.start(7, 3)
	b.add("a close frame with an empty body",
		"answer with an empty close frame or 1000 (sections 5.5.1, 7.1.5: no code received is 1005, which is never sent)",
		func(s *session) error {
			s.send(closeF(nil))
			s.sentClose = true
			return s.closed(closing{codes: []uint16{1000}, answer: true, empty: true, why: "answer an empty close"})
		})
	b.add("a close frame with a 1-byte body",
		"close with 1002: a close body, if any, starts with a 2-byte code (section 5.5.1)", func(s *session) error {
			s.send(closeF([]byte{0x03}))
			s.sentClose = true
			return s.closed(failWith(1002, "close with 1002 for a 1-byte close body"))
		})
	for _, reason := range []string{"Hello World!", "κόσμε: a reason in UTF-8", strings.Repeat("*", 123)} {
		b.add(fmt.Sprintf("close 1000 with a reason of %d bytes", len(reason)),
			"answer with close 1000 (a reason of up to 123 bytes fits in a control frame, section 5.5)", func(s *session) error {
				s.send(closeF(closeBody(1000, reason)))
				s.sentClose = true
				return s.closed(answerTo(1000))
			})
	}
	b.add("close 1000 with a reason of 124 bytes (a 126-byte control frame)",
		"close with 1002: control frames carry at most 125 bytes (section 5.5)", func(s *session) error {
			s.send(closeF(closeBody(1000, strings.Repeat("*", 124))))
			s.sentClose = true
			return s.closed(failWith(1002, "close with 1002 for a 126-byte close frame"))
		})
	b.add("close 1000 with a reason that is not UTF-8 (κόσμε then ED A0 80)",
		"close with 1002 or 1007: the reason MUST be UTF-8 (sections 5.5.1, 8.1)", func(s *session) error {
			s.send(closeF(closeBody(1000, "κόσμε\xed\xa0\x80edited")))
			s.sentClose = true
			c := failWith(1002, "close with 1002 or 1007 for a reason that is not UTF-8")
			c.codes = append(c.codes, 1007)
			return s.closed(c)
		})

	b.start(7, 4)
	b.add("close 1000 and a text message in one write",
		"answer the close and ignore the message after it (section 1.4: after the close, no more data)", func(s *session) error {
			s.send(closeF(closeBody(1000, "")), text("after the close"))
			s.sentClose = true
			return s.closed(answerTo(1000))
		})
	b.add("close 1000 and a ping in one write",
		"answer the close and nothing else: a ping after a close is not answered (section 5.5.2)", func(s *session) error {
			s.send(closeF(closeBody(1000, "")), ping([]byte("after the close")))
			s.sentClose = true
			return s.closed(answerTo(1000))
		})
	b.add("close 1000 twice in one write",
		"answer the first close once and close TCP: there is no second close handshake (section 5.5.1)", func(s *session) error {
			s.send(closeF(closeBody(1000, "")), closeF(closeBody(1000, "")))
			s.sentClose = true
			return s.closed(answerTo(1000))
		})
	b.add("a text message, then close 1000, each waited on",
		"echo the message, answer the close, then close the TCP connection itself (section 7.1.1: the server closes TCP first)",
		func(s *session) error {
			s.send(text("before the close"))
			if err := s.echo(opText, []byte("before the close")); err != nil {
				return err
			}
			s.send(closeF(closeBody(1000, "")))
			s.sentClose = true
			c := answerTo(1000)
			c.tcp = true
			return s.closed(c)
		})
	b.add("a frame with reserved opcode 3, then the client's answer to the server's close",
		"close with 1002, then close the TCP connection once the client answers (section 7.1.1)", func(s *session) error {
			s.send(frame{op: 3})
			c := failWith(1002, "close with 1002 for opcode 3")
			c.tcp = true
			return s.closed(c)
		})
}
