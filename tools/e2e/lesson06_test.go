package e2e

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"wscourse/tools/internal/balancer"
	"wscourse/tools/internal/cluster"
	"wscourse/tools/internal/lesson"
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

// startBalancer is the course's load balancer (tools/internal/balancer) in
// front of backends: each connection goes to the first that accepts it. It
// is the page's one address, as a real deployment's balancer is, so that the
// page, which always connects back to where it came from, can land on
// another instance.
func startBalancer(t *testing.T, backends ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := balancer.New(backends...)
	served := make(chan error, 1)
	go func() { served <- b.Serve(ln) }()
	t.Cleanup(func() {
		b.Close()
		if err := <-served; err != nil {
			t.Errorf("the balancer's Serve: %v", err)
		}
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

// TestLesson06Demo runs lesson 06 as `make demo-6` does (tools/internal/
// cluster): NATS, three instances and the balancer, each a process of its
// own. Both pages are on the balancer, so on the first instance. It is
// killed, then the second is stopped: each time both pages reconnect to the
// next instance and resume, and every message shows once.
func TestLesson06Demo(t *testing.T) {
	t.Parallel()
	c := startDemo(t, "-presence-ttl", "1s")
	lb := "http://" + c.Addr()
	ann, bob := joinChat(t, lb, lb, "demo6")
	ann.say("before the crash")
	bob.waitText("log", "before the crash")

	if err := c.Kill(1); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*page{ann, bob} {
		p.waitText("log", "closed 1006")
		// The names are free once the dead instance's claims expire.
		p.waitWithin(15*time.Second, "the page back in, on instance 2", `document.getElementById("status").textContent.startsWith("open")`)
	}
	ann.say("after the crash")
	bob.waitText("log", "after the crash")

	if err := c.Stop(2); err != nil {
		t.Fatal(err)
	}
	bob.waitText("log", "closed 1001")
	bob.waitText("status", "open")
	ann.waitText("status", "open")
	bob.say("after the stop")
	ann.waitText("log", "after the stop")
	showOnce(t, []*page{ann, bob}, "before the crash", "after the crash", "after the stop")
}

// startDemo builds lesson 06's reference server and its cmd/natsd and starts
// them as a cluster behind the balancer, with args for every instance.
func startDemo(t *testing.T, args ...string) *cluster.Cluster {
	t.Helper()
	chat, err := solutionBinary(6)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(chat)
	ctx, cancel := context.WithTimeout(t.Context(), buildTimeout)
	defer cancel()
	natsd, out, err := lesson.BuildPackage(ctx, dir, "./cmd/natsd", filepath.Join(dir, "natsd"))
	if err != nil {
		t.Fatalf("build lesson 06's cmd/natsd: %v\n%s", err, out)
	}
	logs := newOutput()
	c, err := cluster.Start(cluster.Config{Chat: chat, NATS: natsd, Dir: dir, Addr: "127.0.0.1:0", Args: args, Out: logs})
	if err != nil {
		t.Fatalf("start the cluster: %v\n%s", err, logs)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("the cluster's output:\n%s", logs)
		}
	})
	return c
}
