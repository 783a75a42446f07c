// course:shared(04-chat,06-scale-out): the same in lessons 04 and 06; make verify compares the copies.

//go:build linux || darwin || freebsd || netbsd || openbsd

package main

import (
	"net"
	"syscall"
)

// stallDialer dials a connection that holds little in flight once it stops
// reading: a small receive buffer, and a small segment size, from which the
// server's kernel sizes its send buffer (on loopback it would take a few
// megabytes, thousands of chat messages, before a write blocked). Its own
// send buffer is small too, so that its writes block soon once the server
// stops reading.
func stallDialer() *net.Dialer {
	return &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		cerr := rc.Control(func(fd uintptr) {
			for _, o := range []struct{ level, opt, v int }{
				{syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096},
				{syscall.SOL_SOCKET, syscall.SO_SNDBUF, 4096},
				{syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 536},
			} {
				if err = syscall.SetsockoptInt(int(fd), o.level, o.opt, o.v); err != nil {
					return
				}
			}
		})
		if cerr != nil {
			return cerr
		}
		return err
	}}
}
