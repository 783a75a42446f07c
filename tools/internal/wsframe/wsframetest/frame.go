// Package wsframetest builds WebSocket frames for tests of code that reads
// them: the frame decoder and the tracing proxy.
package wsframetest

import "encoding/binary"

// Frame builds a frame as lesson 01's tests do: head is the first byte (FIN,
// RSV, opcode); masked sets the MASK bit and masks the payload with key. The
// length takes the shortest of the three forms.
func Frame(head byte, masked bool, key [4]byte, payload []byte) []byte {
	b := []byte{head}
	var m byte
	if masked {
		m = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, m|byte(n))
	case n < 1<<16:
		b = binary.BigEndian.AppendUint16(append(b, m|126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, m|127), uint64(n))
	}
	if !masked {
		return append(b, payload...)
	}
	b = append(b, key[:]...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}
