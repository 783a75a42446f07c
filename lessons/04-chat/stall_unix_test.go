//go:build linux || darwin || freebsd || netbsd || openbsd

package main

import (
	"net"
	"syscall"
)

// stallDialer dials a connection that holds little in flight once it stops
// reading: a small receive buffer, and a small segment size, from which the
// server's kernel sizes its send buffer (on loopback it would take a few
// megabytes, thousands of chat messages, before a write blocked).
func stallDialer() *net.Dialer {
	return &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		cerr := rc.Control(func(fd uintptr) {
			if err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096); err == nil {
				err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 536)
			}
		})
		if cerr != nil {
			return cerr
		}
		return err
	}}
}
