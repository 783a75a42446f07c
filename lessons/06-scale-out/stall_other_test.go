// course:shared(04-chat,06-scale-out): the same in lessons 04 and 06; make verify compares the copies.

//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

import "net"

// stallDialer returns nil where the segment size cannot be set: a client
// that stops reading would need megabytes of messages to block a write, so
// TestSlowMember is skipped (it runs on Linux and macOS, and in WSL).
func stallDialer() *net.Dialer { return nil }
