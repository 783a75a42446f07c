package wsframe

import "encoding/binary"

// Append appends a frame to b: head is its first byte (FIN, RSV, opcode),
// length the payload length its header gives, in the shortest of the three
// forms, and key, when not nil, the masking key, with the payload masked.
// length is not always len(payload): a header may announce more than follows.
func Append(b []byte, head byte, length uint64, key *[4]byte, payload []byte) []byte {
	var mask byte
	if key != nil {
		mask = 0x80
	}
	b = append(b, head)
	switch {
	case length < 126:
		b = append(b, mask|byte(length))
	case length < 1<<16:
		b = binary.BigEndian.AppendUint16(append(b, mask|126), uint16(length))
	default:
		b = binary.BigEndian.AppendUint64(append(b, mask|127), length)
	}
	if key == nil {
		return append(b, payload...)
	}
	b = append(b, key[:]...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}
