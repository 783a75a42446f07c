package e2e

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"wscourse/tools/internal/proxy"
)

// TestLesson06Browser drives lesson 04's chat page, served by lesson 06's
// instances, against three of them sharing one NATS server: two pages on
// two instances chat, then one instance stops and its page reconnects,
// through a load balancer, to another instance and catches up with what was
// said meanwhile, every message shown once.
func TestLesson06Browser(t *testing.T) {
	t.Parallel()
	// The first instance runs the embedded NATS server; the others join it.
	first, second, third, lb := startCluster(t)
	ann, bob := joinChat(t, first.URL, "http://"+lb, "e2e6")

	ann.say("hello from instance 1")
	bob.waitText("log", "hello from instance 1")
	bob.say("hello from instance 2")
	ann.waitText("log", "hello from instance 2")

	// bob's instance stops: bob's page is told 1001 and reconnects through
	// the balancer, which now reaches only the third instance. ann speaks
	// meanwhile; bob catches up from the stream with since and epoch.
	if err := second.Stop(); err != nil {
		t.Fatal(err)
	}
	bob.waitText("log", "closed 1001")
	ann.say("said while bob moved")
	bob.waitText("log", "said while bob moved")
	bob.waitText("status", "open")
	bob.say("hello from instance 3")
	ann.waitText("log", "hello from instance 3")
	bob.waitText("log", "hello from instance 3")
	ann.waitText("members", "bob")

	// Ids are the stream's on every instance, so resuming elsewhere with
	// since and epoch shows every message once.
	showOnce(t, []*page{ann, bob}, "hello from instance 1", "hello from instance 2", "said while bob moved", "hello from instance 3")
	for _, s := range []*server{first, third} {
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

// startBalancer is a TCP load balancer in front of backends: each
// connection goes to the first that accepts it. It is the page's one
// address, as a real deployment's balancer is, so that the page, which
// always connects back to where it came from, can land on another instance.
func startBalancer(t *testing.T, backends ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
	)
	track := func(c net.Conn, add bool) {
		mu.Lock()
		defer mu.Unlock()
		if add {
			conns[c] = true
		} else {
			delete(conns, c)
		}
	}
	wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return // closed when the test ends
			}
			wg.Go(func() {
				defer client.Close()
				var backend net.Conn
				for _, addr := range backends {
					if c, err := net.Dial("tcp", addr); err == nil {
						backend = c
						break
					}
				}
				if backend == nil {
					return // no instance left
				}
				defer backend.Close()
				track(client, true)
				track(backend, true)
				defer track(client, false)
				defer track(backend, false)
				done := make(chan struct{}, 2)
				pipe := func(dst, src net.Conn) {
					io.Copy(dst, src)
					dst.Close() // the other way ends too
					done <- struct{}{}
				}
				go pipe(backend, client)
				go pipe(client, backend)
				<-done
				<-done
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// TestLesson06Traced runs a chat through the tracing proxy in front of one
// of lesson 06's instances, as `make trace-6` does, and has the proxy cut
// every connection.
func TestLesson06Traced(t *testing.T) {
	t.Parallel()
	srv, px, trace := startTraced(t, 6, proxy.Faults{}, "-instances", "1")
	chatSurvivesCut(t, srv, px, trace, "traced6")
}

// TestLesson06Killed kills an instance outright (SIGKILL, no goodbye):
// its page sees 1006 and reconnects, through the balancer, to another
// instance, which refuses the name until the dead instance's claim expires
// (-presence-ttl) and then lets it in; the page catches up with what was said
// meanwhile, every message shown once.
func TestLesson06Killed(t *testing.T) {
	t.Parallel()
	first, second, third, lb := startCluster(t, "-presence-ttl", "1s")
	ann, bob := joinChat(t, first.URL, "http://"+lb, "killed6")
	bob.say("before the crash")
	ann.waitText("log", "before the crash")

	if err := second.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-second.exited
	bob.waitText("status", "1006")
	ann.say("said while bob's instance was dead")
	// The page retries with backoff, and the name is free once the dead
	// instance's claim has expired: that takes a few seconds.
	bob.waitWithin(15*time.Second, "bob's page back in, on another instance", `document.getElementById("status").textContent.startsWith("open")`)
	bob.say("back on another instance")
	showOnce(t, []*page{ann, bob}, "before the crash", "said while bob's instance was dead", "back on another instance")
	for _, s := range []*server{first, third} {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	}
}
