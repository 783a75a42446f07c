package conformance

import "fmt"

func opcodeCases(b *builder) {
	const rule = "close with 1002: a reserved opcode MUST fail the connection (RFC 6455 section 5.2)"
	for g, ops := range [][]byte{{3, 4, 5, 6, 7}, {11, 12, 13, 14, 15}} {
		kind := "non-control"
		if g == 1 {
			kind = "control"
		}
		b.start(4, g+1)
		for _, op := range ops {
			bad := frame{op: op}
			b.add(fmt.Sprintf("an empty frame with reserved %s opcode %d", kind, op), rule, func(s *session) error {
				s.send(bad)
				return s.closed(failWith(1002, fmt.Sprintf("close with 1002 for opcode %d", op)))
			})
		}
		for _, op := range ops {
			bad := frame{op: op, payload: []byte("reserved opcode")}
			b.add(fmt.Sprintf("a valid text message, then a frame with reserved %s opcode %d and a payload, then a ping, in one write", kind, op),
				"echo the first message, then close with 1002 and answer nothing after the bad frame (section 5.2)",
				func(s *session) error {
					s.send(text("valid"), bad, ping([]byte("after")))
					if err := s.echo(opText, []byte("valid")); err != nil {
						return err
					}
					return s.closed(failWith(1002, fmt.Sprintf("close with 1002 for opcode %d", op)))
				})
		}
	}
}
