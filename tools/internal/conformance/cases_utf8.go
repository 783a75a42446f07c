package conformance

import (
	"fmt"
	"strings"
)

// validTexts are valid UTF-8 (RFC 3629): code points at the edges of every
// encoded length, and the ones next to the ranges that are not allowed.
var validTexts = []struct{ name, s string }{
	{"U+0000 (1 byte)", "\x00"},
	{"U+007F, the last 1-byte code point", "\u007f"},
	{"U+0080, the first 2-byte code point", "\u0080"},
	{"U+07FF, the last 2-byte code point", "\u07ff"},
	{"U+0800, the first 3-byte code point", "\u0800"},
	{"U+D7FF, just below the surrogates", "\ud7ff"},
	{"U+E000, just above the surrogates", "\ue000"},
	{"U+FEFF, a byte order mark, kept as it is", "\ufeff"},
	{"U+FFFD, the replacement character", "\ufffd"},
	{"U+FFFF, the last 3-byte code point", "\uffff"},
	{"U+10000, the first 4-byte code point", "\U00010000"},
	{"U+10FFFF, the last code point", "\U0010ffff"},
	{"Greek \"κόσμε\"", "κόσμε"},
	{"a mix of 1- to 4-byte characters", "Hello-µ@ßöäüàá-UTF-8!! €𝄞"},
}

// invalidSeq is a byte sequence RFC 3629 does not allow.
type invalidSeq struct {
	name  string
	b     string
	atEnd bool // the sequence is cut short: it can only end the message
}

var invalidSeqs = []invalidSeq{
	// Overlong encodings: a code point in more bytes than it needs (RFC 3629 section 3).
	{name: "overlong '/' in 2 bytes (C0 AF)", b: "\xc0\xaf"},
	{name: "overlong '/' in 3 bytes (E0 80 AF)", b: "\xe0\x80\xaf"},
	{name: "overlong '/' in 4 bytes (F0 80 80 AF)", b: "\xf0\x80\x80\xaf"},
	{name: "overlong U+0000 in 2 bytes (C0 80)", b: "\xc0\x80"},
	{name: "overlong U+007F in 2 bytes (C1 BF)", b: "\xc1\xbf"},
	{name: "overlong U+07FF in 3 bytes (E0 9F BF)", b: "\xe0\x9f\xbf"},
	{name: "overlong U+FFFF in 4 bytes (F0 8F BF BF)", b: "\xf0\x8f\xbf\xbf"},
	// UTF-16 surrogates are not characters (RFC 3629 section 3).
	{name: "U+D800, the first high surrogate (ED A0 80)", b: "\xed\xa0\x80"},
	{name: "U+DB7F (ED AD BF)", b: "\xed\xad\xbf"},
	{name: "U+DB80 (ED AE 80)", b: "\xed\xae\x80"},
	{name: "U+DBFF, the last high surrogate (ED AF BF)", b: "\xed\xaf\xbf"},
	{name: "U+DC00, the first low surrogate (ED B0 80)", b: "\xed\xb0\x80"},
	{name: "U+DF80 (ED BE 80)", b: "\xed\xbe\x80"},
	{name: "U+DFFF, the last surrogate (ED BF BF)", b: "\xed\xbf\xbf"},
	{name: "a surrogate pair U+D800 U+DC00 (ED A0 80 ED B0 80)", b: "\xed\xa0\x80\xed\xb0\x80"},
	{name: "a surrogate pair U+DBFF U+DFFF (ED AF BF ED BF BF)", b: "\xed\xaf\xbf\xed\xbf\xbf"},
	// Past U+10FFFF, where RFC 3629 ends UTF-8.
	{name: "U+110000 (F4 90 80 80)", b: "\xf4\x90\x80\x80"},
	{name: "U+1FFFFF (F7 BF BF BF)", b: "\xf7\xbf\xbf\xbf"},
	{name: "a 5-byte sequence (F8 88 80 80 80)", b: "\xf8\x88\x80\x80\x80"},
	{name: "a 6-byte sequence (FC 84 80 80 80 80)", b: "\xfc\x84\x80\x80\x80\x80"},
	// Bytes that never appear in UTF-8.
	{name: "the byte C0", b: "\xc0"}, {name: "the byte C1", b: "\xc1"},
	{name: "the byte F5", b: "\xf5"}, {name: "the byte F6", b: "\xf6"},
	{name: "the byte F7", b: "\xf7"}, {name: "the byte F8", b: "\xf8"},
	{name: "the byte F9", b: "\xf9"}, {name: "the byte FA", b: "\xfa"},
	{name: "the byte FB", b: "\xfb"}, {name: "the byte FC", b: "\xfc"},
	{name: "the byte FD", b: "\xfd"}, {name: "the byte FE", b: "\xfe"},
	{name: "the byte FF", b: "\xff"},
	// Continuation bytes with no lead byte.
	{name: "a lone continuation byte 80", b: "\x80"},
	{name: "a lone continuation byte BF", b: "\xbf"},
	{name: "three continuation bytes 80 BF 80", b: "\x80\xbf\x80"},
	// Lead bytes whose continuation bytes do not come.
	{name: "E2 82 (a cut '€') followed by ASCII", b: "\xe2\x82"},
	{name: "F0 9F 98 (a cut 4-byte character) followed by ASCII", b: "\xf0\x9f\x98"},
	{name: "C2 (a cut 2-byte character) at the end of the message", b: "\xc2", atEnd: true},
	{name: "E2 82 (a cut '€') at the end of the message", b: "\xe2\x82", atEnd: true},
	{name: "F0 9F 98 (a cut 4-byte character) at the end of the message", b: "\xf0\x9f\x98", atEnd: true},
	{name: "F4 8F BF (a cut U+10FFFF) at the end of the message", b: "\xf4\x8f\xbf", atEnd: true},
	{name: "ED (a lead byte alone) at the end of the message", b: "\xed", atEnd: true},
}

// failFastSeqs are invalid sequences sent in the first fragment of a
// message, followed by valid text, to see whether the server fails there.
var failFastSeqs = []invalidSeq{
	{name: "the byte C0", b: "\xc0"},
	{name: "the byte F5", b: "\xf5"},
	{name: "the byte FF", b: "\xff"},
	{name: "a lone continuation byte 80", b: "\x80"},
	{name: "an overlong '/' (E0 80 AF)", b: "\xe0\x80\xaf"},
	{name: "the surrogate U+D800 (ED A0 80)", b: "\xed\xa0\x80"},
	{name: "U+110000 (F4 90 80 80)", b: "\xf4\x90\x80\x80"},
}

func utf8Cases(b *builder) {
	const echo = "echo the text message byte for byte (RFC 6455 section 5.6: text is UTF-8, RFC 3629)"
	b.start(6, 1)
	for _, v := range validTexts {
		b.add("a text message holding "+v.name, echo, func(s *session) error {
			s.send(text(v.s))
			if err := s.echo(opText, []byte(v.s)); err != nil {
				return err
			}
			return s.bye()
		})
	}

	b.start(6, 2)
	const split = "reassemble and echo: a character may be split between fragments, as only the whole message must be UTF-8 (sections 5.6, 8.1)"
	for _, v := range []struct {
		name string
		s    string
		cut  []int
	}{
		{"'ß' (2 bytes) split after its 1st byte", "ß", []int{1}},
		{"'€' (3 bytes) split after its 1st byte", "€", []int{1}},
		{"'€' (3 bytes) split after its 2nd byte", "€", []int{2}},
		{"'𝄞' (4 bytes) split after its 1st byte", "𝄞", []int{1}},
		{"'𝄞' (4 bytes) split after its 2nd byte", "𝄞", []int{2}},
		{"'𝄞' (4 bytes) split after its 3rd byte", "𝄞", []int{3}},
		{"'𝄞' (4 bytes) in 4 fragments of 1 byte", "𝄞", []int{1, 2, 3}},
	} {
		b.add("a text message of "+v.name, split, func(s *session) error {
			var pieces [][]byte
			at := 0
			for _, c := range v.cut {
				pieces, at = append(pieces, []byte(v.s[at:c])), c
			}
			s.send(fragments(opText, append(pieces, []byte(v.s[at:]))...)...)
			if err := s.echo(opText, []byte(v.s)); err != nil {
				return err
			}
			return s.bye()
		})
	}
	for _, t := range []string{"κόσμε", "Hello-µ@ßöäüàá-UTF-8!! €𝄞"} {
		b.add(fmt.Sprintf("the text %q in fragments of 1 byte", t), split, func(s *session) error {
			s.send(fragments(opText, chunks([]byte(t), 1)...)...)
			if err := s.echo(opText, []byte(t)); err != nil {
				return err
			}
			return s.bye()
		})
	}

	b.start(6, 3)
	const invalid = "close with 1007: a text message that is not UTF-8 MUST fail the connection (section 8.1); 1002 is allowed, not preferred"
	for _, v := range invalidSeqs {
		msg := "ab" + v.b + "cd"
		if v.atEnd {
			msg = "ab" + v.b
		}
		b.add("a text message in one frame holding "+v.name, invalid, func(s *session) error {
			s.send(text(msg))
			return s.closed(failWith(1007, "close with 1007 for invalid UTF-8"))
		})
	}

	b.start(6, 4)
	const failFast = "close with 1007 (section 8.1: MUST fail on invalid UTF-8); failing as soon as the invalid bytes arrive is preferred, failing only at the end of the message is allowed"
	for _, v := range failFastSeqs {
		b.add(fmt.Sprintf("a text message whose first fragment holds %s, then (if the server waits) its last fragment", v.name), failFast,
			func(s *session) error {
				fs := fragments(opText, []byte("ab"+v.b+"cd"), []byte("ef"))
				return s.failFast(fs[:1], fs[1:])
			})
	}
	b.add("a text message in 3 fragments, the middle one holding the surrogate U+D800 (ED A0 80), then (if the server waits) the last", failFast,
		func(s *session) error {
			fs := fragments(opText, []byte("ab"), []byte("c\xed\xa0\x80d"), []byte("ef"))
			return s.failFast(fs[:2], fs[2:])
		})
	b.add("a text message whose first fragment ends in ED and whose second begins A0 80 (U+D800 split), then (if the server waits) the last", failFast,
		func(s *session) error {
			fs := fragments(opText, []byte("ab\xed"), []byte("\xa0\x80cd"), []byte("ef"))
			return s.failFast(fs[:2], fs[2:])
		})
	b.add("a text message in 2 fragments that split '€' validly, but whose last fragment ends in a cut 'ß' (C3)",
		"close with 1007: the message ends in the middle of a character (section 8.1)", func(s *session) error {
			s.send(fragments(opText, []byte("ab\xe2"), []byte("\x82\xacd\xc3"))...)
			return s.closed(failWith(1007, "close with 1007 for a message cut in a character"))
		})
	b.add("a text message of "+size(1024)+" of valid text with the byte FF at its end, in one frame", invalid, func(s *session) error {
		s.send(text(strings.Repeat("κ", 511) + "a\xff"))
		return s.closed(failWith(1007, "close with 1007 for invalid UTF-8"))
	})
}

// failFast sends first, the fragments holding the invalid bytes; if the
// server has not closed within s.quietFor, it sends rest, which ends the
// message, and the case is at best non-strict.
func (s *session) failFast(first, rest []frame) error {
	s.send(first...)
	if s.quiet() {
		s.nonStrictf("the server did not fail within %v of the invalid bytes while the message was unfinished: it checks UTF-8 only at the end of the message (allowed; failing fast is preferred)", s.quietFor)
		s.send(rest...)
	}
	return s.closed(failWith(1007, "close with 1007 for invalid UTF-8"))
}
