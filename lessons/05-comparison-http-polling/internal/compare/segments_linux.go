package compare

import (
	"encoding/binary"
	"net"
	"syscall"
	"unsafe"
)

// tcpSegments reads Linux's TCP_INFO for a connection: the segments it has
// sent and received so far, ACKs and retransmissions included, and the bytes
// of IP and TCP header each carries (IPv4 or IPv6, and 12 more when the
// connection uses TCP timestamps, as Linux does by default).
func tcpSegments(c net.Conn) (segs int64, header int, ok bool) {
	sc, isSys := c.(syscall.Conn)
	if !isSys {
		return 0, 0, false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, 0, false
	}
	// struct tcp_info: tcpi_options is byte 5; tcpi_segs_out and
	// tcpi_segs_in are the two 32-bit counters at bytes 136 to 143 (Linux 4.2
	// and later).
	var info [256]byte
	size := uint32(len(info))
	var errno syscall.Errno
	raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.IPPROTO_TCP, syscall.TCP_INFO,
			uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&size)), 0)
	})
	if errno != 0 || size < 144 {
		return 0, 0, false
	}
	segs = int64(binary.NativeEndian.Uint32(info[136:])) + int64(binary.NativeEndian.Uint32(info[140:]))
	header = 20 + 20 // IPv4 and TCP, without options
	if a, isTCP := c.LocalAddr().(*net.TCPAddr); isTCP && a.IP.To4() == nil {
		header = 40 + 20
	}
	const timestamps = 1 // TCPI_OPT_TIMESTAMPS
	if info[5]&timestamps != 0 {
		header += 12 // the option, padded
	}
	return segs, header, true
}
