package conformance

import "fmt"

// rsvName names the reserved bits in r (4 is RSV1, 2 RSV2, 1 RSV3).
func rsvName(r byte) string {
	name := ""
	for i, bit := range []byte{4, 2, 1} {
		if r&bit != 0 {
			if name != "" {
				name += "+"
			}
			name += fmt.Sprintf("RSV%d", i+1)
		}
	}
	return name
}

func rsvCases(b *builder) {
	const rule = "close with 1002: a reserved bit set with no extension agreed MUST fail the connection (RFC 6455 section 5.2)"
	kinds := []struct {
		name   string
		frames func(rsv byte) []frame // the frames to send, the last with the bits
	}{
		{"text", func(r byte) []frame { return []frame{text("reserved").withRSV(r)} }},
		{"binary", func(r byte) []frame { return []frame{binaryF(noise(8)).withRSV(r)} }},
		{"ping", func(r byte) []frame { return []frame{ping([]byte("reserved")).withRSV(r)} }},
		{"pong", func(r byte) []frame { return []frame{pong([]byte("reserved")).withRSV(r)} }},
		{"close", func(r byte) []frame { return []frame{closeF(closeBody(1000, "")).withRSV(r)} }},
		{"continuation", func(r byte) []frame {
			fs := fragments(opText, []byte("first "), []byte("second"))
			return []frame{fs[0], fs[1].withRSV(r)}
		}},
	}
	for g, k := range kinds {
		b.start(3, g+1)
		for _, r := range []byte{4, 2, 1} {
			b.add(fmt.Sprintf("a %s frame with %s set", k.name, rsvName(r)), rule, func(s *session) error {
				s.send(k.frames(r)...)
				return s.closed(failWith(1002, "close with 1002 for "+rsvName(r)))
			})
		}
	}
	b.start(3, 7)
	b.add("a text frame with RSV1, RSV2 and RSV3 set", rule, func(s *session) error {
		s.send(text("reserved").withRSV(7))
		return s.closed(failWith(1002, "close with 1002 for RSV1+RSV2+RSV3"))
	})
	b.add("a valid text message, then a text frame with RSV2 set, in one write",
		"echo the first message, then close with 1002 for the second (section 5.2)", func(s *session) error {
			s.send(text("valid"), text("reserved").withRSV(2))
			if err := s.echo(opText, []byte("valid")); err != nil {
				return err
			}
			return s.closed(failWith(1002, "close with 1002 for RSV2"))
		})
}
