package balancer

import (
	"bufio"
	"net"
	"testing"
	"time"
)

const timeout = 5 * time.Second

// backend accepts connections and answers each with its name, then echoes.
func backend(t *testing.T, name string) (addr string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Write([]byte(name + "\n"))
				buf := make([]byte, 512)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					c.Write(buf[:n])
				}
			}()
		}
	}()
	return ln.Addr().String(), func() { ln.Close() }
}

func start(t *testing.T, backends ...string) string {
	t.Helper()
	b := New(backends...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- b.Serve(ln) }()
	t.Cleanup(func() {
		b.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// reach dials the balancer and returns the name of the backend that answers.
func reach(t *testing.T, addr string) (string, net.Conn) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(timeout))
	name, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("no backend answered through the balancer: %v", err)
	}
	return name[:len(name)-1], c
}

func TestFirstThatAccepts(t *testing.T) {
	a, _ := backend(t, "a")
	b, _ := backend(t, "b")
	addr := start(t, a, b)
	for range 3 {
		if name, _ := reach(t, addr); name != "a" {
			t.Fatalf("a connection went to %q; want a, the first backend", name)
		}
	}
}

func TestSkipsABackendThatIsDown(t *testing.T) {
	a, stopA := backend(t, "a")
	b, _ := backend(t, "b")
	stopA()
	addr := start(t, a, b)
	for range 3 {
		if name, _ := reach(t, addr); name != "b" {
			t.Fatalf("a connection went to %q; want b, the one backend up", name)
		}
	}
}

func TestPassesBytesAndEndsWithTheBackend(t *testing.T) {
	a, _ := backend(t, "a")
	addr := start(t, a)
	_, c := reach(t, addr)
	c.Write([]byte("ping"))
	buf := make([]byte, 4)
	if _, err := c.Read(buf); err != nil || string(buf) != "ping" {
		t.Fatalf("the echo came back as %q, %v; want \"ping\"", buf, err)
	}
}

func TestNoBackendClosesTheClient(t *testing.T) {
	a, stopA := backend(t, "a")
	stopA()
	addr := start(t, a)
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read a byte with no backend up; want the connection closed")
	}
}
