// Package cluster runs lesson 06's chat as it would run in production, each
// part a process of its own: a NATS server (the lesson's cmd/natsd), several
// chat instances joined to it with -nats, and a load balancer
// (tools/internal/balancer) in front of them on one address. `make demo-6`
// runs it, and lets the instructor stop, kill and restart an instance while
// pages are open; the browser tests run it the same way.
package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"wscourse/tools/internal/balancer"
)

// startTimeout bounds how long a process has to say it is listening.
const startTimeout = 30 * time.Second

// stopTimeout is the course's rule: on SIGTERM a server exits within 5 s.
const stopTimeout = 5 * time.Second

// Config says what to start.
type Config struct {
	Chat, NATS string // the binaries: lesson 06's server, and its cmd/natsd
	Dir        string // where they run
	// Addr is the balancer's host:port. The instances listen on the ports
	// after it, and NATS on the one after theirs; port 0 gives each a free
	// port.
	Addr      string
	Instances int      // how many; 3 when 0
	Args      []string // more flags for every instance
	Out       io.Writer
	// Prepare, when set, is called on each command before it starts (the
	// course puts each in a process group of its own).
	Prepare func(*exec.Cmd)
}

// Cluster is the running processes and the balancer.
type Cluster struct {
	cfg     Config
	out     *lines
	natsURL string
	nats    *proc
	lb      *balancer.Balancer
	lbAddr  string
	served  chan error

	mu        sync.Mutex
	instances []*proc // by number - 1
}

// proc is one process and how it ended.
type proc struct {
	name   string
	addr   string // its own address: http://... for an instance
	cmd    *exec.Cmd
	exited chan struct{} // closed once it has exited
	err    error         // Wait's, once exited is closed
}

// Start starts NATS, then the instances, then the balancer, and returns once
// the balancer listens; its "listening on http://ADDR" line is the first
// line of Out to start that way (the processes' lines carry their names).
func Start(cfg Config) (*Cluster, error) {
	if cfg.Instances == 0 {
		cfg.Instances = 3
	}
	host, port, err := splitAddr(cfg.Addr)
	if err != nil {
		return nil, err
	}
	at := func(i int) string { // the address i ports after Addr's
		if port == 0 {
			return net.JoinHostPort(host, "0")
		}
		return net.JoinHostPort(host, strconv.Itoa(port+i))
	}
	c := &Cluster{cfg: cfg, out: &lines{w: cfg.Out}}
	c.nats, err = c.start("nats", cfg.NATS, []string{"-addr", at(cfg.Instances + 1)}, "nats listening on ")
	if err != nil {
		return nil, err
	}
	c.natsURL = c.nats.addr
	for i := range cfg.Instances {
		p, err := c.startInstance(i+1, at(i+1))
		if err != nil {
			c.Close()
			return nil, err
		}
		c.instances = append(c.instances, p)
	}
	ln, err := net.Listen("tcp", at(0))
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("the balancer: %w", err)
	}
	var backends []string
	for _, p := range c.instances {
		backends = append(backends, strings.TrimPrefix(p.addr, "http://"))
	}
	c.lb = balancer.New(backends...)
	c.lbAddr = ln.Addr().String()
	c.served = make(chan error, 1)
	go func() { c.served <- c.lb.Serve(ln) }()
	c.out.printf("listening on http://%s\n", c.lbAddr)
	return c, nil
}

// Addr is the balancer's host:port: the one address to open.
func (c *Cluster) Addr() string { return c.lbAddr }

// Instance is instance n's own http://host:port (n from 1).
func (c *Cluster) Instance(n int) string {
	p, _ := c.get(n)
	return p.addr
}

// Instances is how many instances there are.
func (c *Cluster) Instances() int { return len(c.instances) }

// Running reports whether instance n runs.
func (c *Cluster) Running(n int) bool {
	p, _ := c.get(n)
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Stop sends instance n SIGTERM, as a deploy does: it closes its pages with
// 1001, and they reconnect through the balancer. It returns once the
// instance has exited, or kills it after 5 s.
func (c *Cluster) Stop(n int) error {
	p, err := c.get(n)
	if err != nil {
		return err
	}
	return p.stop()
}

// Kill kills instance n outright (SIGKILL), as a crash does: no close frame,
// and its members' names stay claimed until their presence expires.
func (c *Cluster) Kill(n int) error {
	p, err := c.get(n)
	if err != nil {
		return err
	}
	p.cmd.Process.Kill()
	<-p.exited
	return nil
}

// Restart starts instance n again, on its address, once it has exited.
func (c *Cluster) Restart(n int) error {
	p, err := c.get(n)
	if err != nil {
		return err
	}
	select {
	case <-p.exited:
	default:
		return fmt.Errorf("instance %d is running: stop or kill it first", n)
	}
	q, err := c.startInstance(n, strings.TrimPrefix(p.addr, "http://"))
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.instances[n-1] = q
	c.mu.Unlock()
	return nil
}

// Close stops the instances (SIGTERM, 1001 to every page), then NATS and the
// balancer. It returns the first error an instance exited with.
func (c *Cluster) Close() error {
	c.mu.Lock()
	ps := append([]*proc{}, c.instances...)
	c.mu.Unlock()
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() { errs[i] = p.stop() })
	}
	wg.Wait()
	if c.lb != nil {
		c.lb.Close()
		<-c.served
	}
	if c.nats != nil {
		c.nats.stop()
	}
	return errors.Join(errs...)
}

func (c *Cluster) get(n int) (*proc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n < 1 || n > len(c.instances) {
		return nil, fmt.Errorf("no instance %d: they are 1 to %d", n, len(c.instances))
	}
	return c.instances[n-1], nil
}

func (c *Cluster) startInstance(n int, addr string) (*proc, error) {
	args := append([]string{"-addr", addr, "-instances", "1", "-nats", c.natsURL}, c.cfg.Args...)
	return c.start(fmt.Sprintf("instance %d", n), c.cfg.Chat, args, "listening on ")
}

// start runs bin with args, its output passed on a line at a time with name
// in front, and returns once it has printed a line starting with ready: what
// follows is its address.
func (c *Cluster) start(name, bin string, args []string, ready string) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = c.cfg.Dir
	if c.cfg.Prepare != nil {
		c.cfg.Prepare(cmd)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, exited: make(chan struct{})}
	found := make(chan string, 1)
	var copying sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		copying.Go(func() {
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				line := sc.Text()
				c.out.printf("[%s] %s\n", name, line)
				if rest, ok := strings.CutPrefix(line, ready); ok && r == stdout {
					select {
					case found <- rest:
					default:
					}
				}
			}
			io.Copy(io.Discard, r)
		})
	}
	go func() {
		copying.Wait() // Wait closes the pipes: read them to the end first
		p.err = cmd.Wait()
		c.out.printf("[%s] exited: %s\n", name, exitText(p.err))
		close(p.exited)
	}()
	select {
	case p.addr = <-found:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("%s exited before it listened: %s", name, exitText(p.err))
	case <-time.After(startTimeout):
		cmd.Process.Kill()
		<-p.exited
		return nil, fmt.Errorf("%s did not say it listens within %v", name, startTimeout)
	}
}

// stop sends SIGTERM and waits for the exit, killing the process after
// stopTimeout; it returns an error unless it exited with status 0.
func (p *proc) stop() error {
	select {
	case <-p.exited:
		return nil // stopped or killed already
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil { // no SIGTERM on Windows
		p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not exit within %v of SIGTERM", p.name, stopTimeout)
	}
	if p.err != nil {
		return fmt.Errorf("%s: %s", p.name, exitText(p.err))
	}
	return nil
}

func exitText(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

func splitAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535-4 {
		return "", 0, fmt.Errorf("%q: want a port from 0 to 65531, followed by free ones", addr)
	}
	return host, port, nil
}

// lines writes whole lines to w, one writer at a time.
type lines struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lines) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}
