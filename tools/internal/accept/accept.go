// Package accept is the accept loop the tracing proxy and the load balancer
// share.
package accept

import (
	"errors"
	"net"
	"sync"
)

// Loop accepts on ln and runs handle for each connection on a goroutine of
// its own, which wg tracks, until Accept fails. It returns nil when closed
// then reports true (its owner closed ln to stop it), and Accept's error
// otherwise; a timeout is retried.
func Loop(ln net.Listener, wg *sync.WaitGroup, closed func() bool, handle func(net.Conn)) error {
	for {
		nc, err := ln.Accept()
		if err != nil {
			if closed() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		wg.Go(func() { handle(nc) })
	}
}
