package wsframe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var key = [4]byte{0x37, 0xfa, 0x21, 0x3d}

func payload(n int) []byte { return bytes.Repeat([]byte("abcdefg"), n/7+1)[:n] }

// decodeAll feeds raw to a fresh decoder in chunks of size (all at once when
// size is 0) and returns the frames and the error.
func decodeAll(fromClient bool, raw []byte, size int) ([]Frame, error) {
	d := &Decoder{FromClient: fromClient}
	var frames []Frame
	emit := func(f Frame) { frames = append(frames, f) }
	if size == 0 {
		size = len(raw) + 1
	}
	var err error
	for len(raw) > 0 && err == nil {
		n := min(size, len(raw))
		err = d.Feed(raw[:n], emit)
		raw = raw[n:]
	}
	return frames, err
}

// TestFrames decodes the frames of lesson 01's TestReadFrame, whole and one
// byte at a time, each followed by a ping as that test does.
func TestFrames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		raw    []byte
		fin    bool
		op     Opcode
		length uint64
		head   int
		data   []byte // the payload, unmasked
	}{
		{"RFC 5.7 masked Hello", []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, true, OpText, 5, 6, []byte("Hello")},
		{"empty text", testFrame(0x81, true, key, nil), true, OpText, 0, 6, nil},
		{"binary, 125 bytes (7-bit length)", testFrame(0x82, true, key, payload(125)), true, OpBinary, 125, 6, payload(125)},
		{"binary, 126 bytes (16-bit length)", testFrame(0x82, true, key, payload(126)), true, OpBinary, 126, 8, payload(126)},
		{"binary, 65535 bytes (16-bit length)", testFrame(0x82, true, key, payload(65535)), true, OpBinary, 65535, 8, payload(65535)},
		{"binary, 65536 bytes (64-bit length)", testFrame(0x82, true, key, payload(65536)), true, OpBinary, 65536, 14, payload(65536)},
		{"text without FIN", testFrame(0x01, true, key, []byte("Hel")), false, OpText, 3, 6, []byte("Hel")},
		{"ping", testFrame(0x89, true, key, []byte("are you there")), true, OpPing, 13, 6, []byte("are you there")},
		{"pong", testFrame(0x8A, true, key, []byte("yes")), true, OpPong, 3, 6, []byte("yes")},
		{"close 1000", testFrame(0x88, true, key, []byte{0x03, 0xE8, 'b', 'y', 'e'}), true, OpClose, 5, 6, []byte{0x03, 0xE8, 'b', 'y', 'e'}},
	} {
		raw := append(append([]byte{}, tc.raw...), testFrame(0x89, true, key, []byte("next"))...)
		for _, size := range []int{0, 1, 7} {
			frames, err := decodeAll(true, raw, size)
			if err != nil || len(frames) != 2 {
				t.Fatalf("%s in chunks of %d: %d frames, error %v; want 2 frames, no error", tc.name, size, len(frames), err)
			}
			f := frames[0]
			if f.Fin != tc.fin || f.Op != tc.op || f.Length != tc.length || f.HeaderLen != tc.head || !f.Masked || f.Key != key {
				t.Errorf("%s in chunks of %d: got %+v; want fin %v, %s, %d bytes, header %d, masked with % x", tc.name, size, f, tc.fin, tc.op, tc.length, tc.head, key)
			}
			if want := tc.data[:min(len(tc.data), Kept)]; !bytes.Equal(f.Payload, want) {
				t.Errorf("%s: kept payload % x, want the first %d bytes unmasked, % x", tc.name, f.Payload, len(want), want)
			}
			if len(f.Problems) > 0 {
				t.Errorf("%s: problems %q in a valid frame", tc.name, f.Problems)
			}
			if frames[1].Op != OpPing || string(frames[1].Payload) != "next" {
				t.Errorf("%s: the frame after it decoded as %+v, want ping \"next\"", tc.name, frames[1])
			}
		}
	}
}

// TestProblems decodes the broken frames of lesson 01's TestReadFrameErrors
// and the close frames it refuses: each is reported with what is wrong, and
// the frame after it still decodes.
func TestProblems(t *testing.T) {
	closing := func(code uint16, reason string) []byte {
		return testFrame(0x88, true, key, append(binary.BigEndian.AppendUint16(nil, code), reason...))
	}
	for _, tc := range []struct {
		name, raw string
		server    bool // the frame goes from server to client
		problem   string
	}{
		{"unmasked frame", string(testFrame(0x81, false, key, []byte("Hello"))), false, "client frame not masked"},
		{"masked server frame", string(testFrame(0x81, true, key, []byte("Hello"))), true, "server frame masked"},
		{"RSV1 set", string(testFrame(0xC1, true, key, []byte("x"))), false, "RSV1 set"},
		{"RSV2 set", string(testFrame(0xA1, true, key, []byte("x"))), false, "RSV2 set"},
		{"RSV3 set", string(testFrame(0x91, true, key, []byte("x"))), false, "RSV3 set"},
		{"ping of 126 bytes", string(testFrame(0x89, true, key, make([]byte, 126))), false, "control frame over 125 bytes"},
		{"close of 126 bytes", string(testFrame(0x88, true, key, make([]byte, 126))), false, "control frame over 125 bytes"},
		{"ping without FIN", string(testFrame(0x09, true, key, []byte("x"))), false, "control frame fragmented"},
		{"close without FIN", string(testFrame(0x08, true, key, []byte{0x03, 0xE8})), false, "control frame fragmented"},
		{"continuation first", string(testFrame(0x80, true, key, []byte("lo"))), false, "continuation with no message to continue"},
		{"text inside a fragmented text", string(testFrame(0x01, true, key, []byte("a"))) + string(testFrame(0x81, true, key, []byte("b"))), false, "new message inside a fragmented one"},
		{"close with a 1-byte body", string(testFrame(0x88, true, key, []byte{0x03})), false, "close body of 1 byte"},
		{"close 1005", string(closing(1005, "")), false, "invalid close code 1005"},
		{"close 999", string(closing(999, "")), false, "invalid close code 999"},
		{"close 2999", string(closing(2999, "")), false, "invalid close code 2999"},
		{"close 5000", string(closing(5000, "")), false, "invalid close code 5000"},
		{"close reason not UTF-8", string(closing(1000, "\xff")), false, "close reason not UTF-8"},
		{"16-bit length for 5 bytes", "\x81\xfe\x00\x05" + string(key[:]) + "Hello", false, "16-bit length for under 126 bytes"},
	} {
		raw := tc.raw + string(testFrame(0x89, !tc.server, key, []byte("next")))
		frames, err := decodeAll(!tc.server, []byte(raw), 3)
		if err != nil || len(frames) < 2 {
			t.Fatalf("%s: %d frames, error %v; want the frame and the ping after it", tc.name, len(frames), err)
		}
		var all []string
		for _, f := range frames[:len(frames)-1] {
			all = append(all, f.Problems...)
		}
		if !strings.Contains(strings.Join(all, "; "), tc.problem) {
			t.Errorf("%s: problems %q, want one saying %q", tc.name, all, tc.problem)
		}
		if last := frames[len(frames)-1]; last.Op != OpPing || len(last.Problems) > 0 {
			t.Errorf("%s: the frame after it decoded as %+v, want a valid ping", tc.name, last)
		}
	}
}

// TestFragments decodes a message in three fragments with a ping between
// them, as lesson 01's TestFragmentedMessage sends it.
func TestFragments(t *testing.T) {
	raw := slicesConcat(
		testFrame(0x01, true, key, []byte("Hel")),
		testFrame(0x89, true, key, []byte("mid")),
		testFrame(0x00, true, key, []byte("l")),
		testFrame(0x80, true, key, []byte("o")),
	)
	frames, err := decodeAll(true, raw, 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range frames {
		got = append(got, f.String())
	}
	want := []string{
		`text    more  masked    3 B  "Hel"`,
		`ping    FIN   masked    3 B  "mid"`,
		`cont    more  masked    1 B  "l"`,
		`cont    FIN   masked    1 B  "o"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("frames:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestString checks the trace's line for each kind of frame.
func TestString(t *testing.T) {
	for _, tc := range []struct {
		raw  []byte
		from bool
		want string
	}{
		{testFrame(0x81, true, key, []byte("hello")), true, `text    FIN   masked    5 B  "hello"`},
		{testFrame(0x81, false, key, []byte("héllo \"q\"\n")), false, `text    FIN   unmasked  11 B  "héllo \"q\"\n"`},
		{testFrame(0x82, false, key, []byte{0, 1, 0xff}), false, `binary  FIN   unmasked  3 B  00 01 ff`},
		{testFrame(0x82, false, key, payload(300)), false, `binary  FIN   unmasked  300 B  61 62 63 64 65 66 67 61 62 63 64 65 66 67 61 62 ...`},
		{testFrame(0x81, false, key, payload(50)), false, `text    FIN   unmasked  50 B  "abcdefgabcdefgabcdefgabcdefgabcdefgabcde"...`},
		{testFrame(0x88, false, key, append([]byte{0x03, 0xE9}, "server shutting down"...)), false, `close   FIN   unmasked  2+20 B  1001 "server shutting down"`},
		{testFrame(0x88, true, key, nil), true, `close   FIN   masked    0 B`},
		{testFrame(0x89, false, key, nil), false, `ping    FIN   unmasked  0 B`},
		{testFrame(0xC1, true, key, []byte("z")), true, `text    FIN   masked    RSV1  1 B  "z"  !RSV1 set without an extension`},
	} {
		frames, err := decodeAll(tc.from, tc.raw, 0)
		if err != nil || len(frames) != 1 {
			t.Fatalf("% x: %d frames, %v", tc.raw[:2], len(frames), err)
		}
		if got := frames[0].String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

// TestDeflate decodes frames of a connection that agreed on
// permessage-deflate: RSV1 marks a compressed message, shown in hex, and is
// still wrong on a control frame.
func TestDeflate(t *testing.T) {
	d := &Decoder{FromClient: true, Deflate: true}
	var got []string
	raw := slicesConcat(testFrame(0xC1, true, key, []byte{0xf2, 0x48, 0xcd}), testFrame(0xC9, true, key, nil))
	if err := d.Feed(raw, func(f Frame) { got = append(got, f.String()) }); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`text    FIN   masked    RSV1 (compressed)  3 B  f2 48 cd`,
		`ping    FIN   masked    RSV1 (compressed)  0 B  !RSV1 (compressed) on a control frame or a continuation`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("frames:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestGiveUp checks the frames past which nothing can be trusted: the
// decoder says why, once, and takes no more input.
func TestGiveUp(t *testing.T) {
	long := binary.BigEndian.AppendUint64([]byte{0x82, 0xFF}, 1<<63)
	for _, tc := range []struct {
		name, raw, why string
	}{
		{"opcode 0x3", string(testFrame(0x83, true, key, []byte("x"))), "unknown opcode 0x3"},
		{"opcode 0x7", string(testFrame(0x87, true, key, []byte("x"))), "unknown opcode 0x7"},
		{"opcode 0xB", string(testFrame(0x8B, true, key, []byte("x"))), "unknown opcode 0xB"},
		{"opcode 0xF", string(testFrame(0x8F, true, key, []byte("x"))), "unknown opcode 0xF"},
		{"64-bit length with the top bit set", string(append(long, key[:]...)), "top bit"},
		{"an HTTP request where frames belong", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "unknown opcode 0x7"},
	} {
		d := &Decoder{FromClient: true}
		var frames []Frame
		err := d.Feed([]byte(tc.raw+string(testFrame(0x89, true, key, nil))), func(f Frame) { frames = append(frames, f) })
		var de *Error
		if !errors.As(err, &de) || !strings.Contains(de.Error(), tc.why) || !strings.HasPrefix(de.Error(), "cannot decode: ") {
			t.Errorf("%s: error %v, want \"cannot decode: ...%s...\"", tc.name, err, tc.why)
		}
		if len(frames) != 0 {
			t.Errorf("%s: emitted %d frames, want none", tc.name, len(frames))
		}
		if again := d.Feed(testFrame(0x89, true, key, nil), func(Frame) { t.Errorf("%s: emitted a frame after giving up", tc.name) }); again != err {
			t.Errorf("%s: second Feed returned %v, want the same error", tc.name, again)
		}
	}
}

// TestPartial checks what a connection that ends inside a frame reports.
func TestPartial(t *testing.T) {
	raw := testFrame(0x81, true, key, []byte("Hello"))
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, ""},
		{1, "frame header cut short: 1 of 2 bytes"},
		{3, "frame header cut short: 3 of 6 bytes"},
		{8, "text frame cut short: 2 of 5 payload bytes"},
		{len(raw), ""},
	} {
		d := &Decoder{FromClient: true}
		_ = d.Feed(raw[:tc.n], func(Frame) {})
		if got := d.Partial(); got != tc.want {
			t.Errorf("after %d bytes: Partial() = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func slicesConcat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

// FuzzDecoder feeds any bytes in two chunks split anywhere: the decoder must
// not panic, must decode the same frames however the bytes are split, and
// must account for no more bytes than it was given.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, uint16(3), true)
	f.Add(testFrame(0x82, true, key, payload(300)), uint16(100), true)
	f.Add(testFrame(0x88, false, key, []byte{0x03, 0xE9, 'x'}), uint16(1), false)
	f.Add(testFrame(0x01, true, key, []byte("frag")), uint16(0), true)
	f.Add(testFrame(0x83, true, key, []byte("x")), uint16(2), true)
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), uint16(5), false)
	f.Add(binary.BigEndian.AppendUint64([]byte{0x82, 0x7F}, 1<<63), uint16(4), false)
	f.Fuzz(func(t *testing.T, raw []byte, split uint16, fromClient bool) {
		whole, errWhole := decodeAll(fromClient, raw, 0)
		cut := int(split) % (len(raw) + 1)
		d := &Decoder{FromClient: fromClient}
		var parts []Frame
		emit := func(f Frame) { parts = append(parts, f) }
		err := d.Feed(raw[:cut], emit)
		if err == nil {
			err = d.Feed(raw[cut:], emit)
		}
		if (err == nil) != (errWhole == nil) || !reflect.DeepEqual(whole, parts) {
			t.Fatalf("split at %d: %d frames, error %v; whole: %d frames, error %v", cut, len(parts), err, len(whole), errWhole)
		}
		used := uint64(0)
		for _, f := range whole {
			used += uint64(f.HeaderLen) + f.Length
			_ = f.String()
			if f.Length <= Kept && uint64(len(f.Payload)) != f.Length {
				t.Fatalf("frame of %d bytes kept %d", f.Length, len(f.Payload))
			}
		}
		if used > uint64(len(raw)) {
			t.Fatalf("frames account for %d bytes of %d fed", used, len(raw))
		}
	})
}

// testFrame is wsframetest.Frame, which this package's tests cannot import:
// it builds its frames with Append.
func testFrame(head byte, masked bool, key [4]byte, payload []byte) []byte {
	if !masked {
		return Append(nil, head, uint64(len(payload)), nil, payload)
	}
	return Append(nil, head, uint64(len(payload)), &key, payload)
}
