// Package wsframetest builds WebSocket frames for tests of code that reads
// them: the frame decoder and the tracing proxy.
package wsframetest

import "wscourse/tools/internal/wsframe"

// Frame builds a frame as lesson 01's tests do: head is the first byte (FIN,
// RSV, opcode); masked sets the MASK bit and masks the payload with key. The
// length takes the shortest of the three forms.
func Frame(head byte, masked bool, key [4]byte, payload []byte) []byte {
	if !masked {
		return wsframe.Append(nil, head, uint64(len(payload)), nil, payload)
	}
	return wsframe.Append(nil, head, uint64(len(payload)), &key, payload)
}
