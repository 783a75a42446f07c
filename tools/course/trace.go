package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/proxy"
)

// cmdTrace runs lesson N's server (the reference solution, or with -own the
// student's code) on a free loopback port and the tracing proxy in front of
// it on -addr: every request, response and frame both ways is printed as it
// crosses, and flags or keys make the network worse on purpose.
func cmdTrace(ctx context.Context, e *env, args []string) int {
	l, rest, ok := lessonArg(e, "trace", args)
	if !ok {
		return term.ExitUsage
	}
	fs := e.flagSet("trace")
	addr := fs.String("addr", defaultAddr, "address the proxy listens on: the one to open")
	own := fs.Bool("own", false, "trace your own code (as run-N does) instead of the reference solution")
	tf := traceFlags(fs)
	if err := fs.Parse(rest); err != nil {
		return term.ExitUsage
	}
	faults, err := tf.faults()
	if err != nil {
		fmt.Fprintf(e.Stderr, "trace: %v\n", err)
		return term.ExitUsage
	}

	out := &lineWriter{w: e.Stdout}
	found := make(chan string, 1)
	sigs := make(chan os.Signal, 1)
	srv := *e
	srv.Stdout = &listenTap{w: out, found: found}
	srv.signals = sigs
	exited := make(chan int, 1)
	cmd := "demo"
	if *own {
		cmd = "run"
	}
	go func() {
		exited <- serveLesson(ctx, &srv, cmd, l, "127.0.0.1:0", fs.Args(), !*own)
	}()

	// Until the server listens, a signal stops the build or the server.
	var serverAddr string
	for serverAddr == "" {
		select {
		case serverAddr = <-found:
		case code := <-exited:
			return code
		case sig := <-e.signals:
			forwardTo(sigs, sig)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.Stderr, "trace: %v\n", err)
		forwardTo(sigs, syscall.SIGTERM)
		<-exited
		return term.ExitFail
	}
	p := proxy.New(proxy.Config{Server: serverAddr, Out: out, AllHeaders: tf.headers, Faults: faults})
	served := make(chan error, 1)
	go func() { served <- p.Serve(ln) }()
	fmt.Fprintf(out, "listening on http://%s\n", ln.Addr())
	fmt.Fprintf(e.Stderr, "trace: lesson %d's server is at %s, behind this proxy; open the address above\n", l.Num, serverAddr)
	if e.canAsk {
		fmt.Fprintln(e.Stderr, "trace: "+keysHelp)
		go readKeys(e.stdin, p, faults.StallFor, e.Stderr)
	}

	code := term.ExitFail
	for done := false; !done; {
		select {
		case code = <-exited:
			done = true
		case sig := <-e.signals:
			forwardTo(sigs, sig) // the server closes its WebSockets through the proxy, traced
		case err := <-served:
			fmt.Fprintf(e.Stderr, "trace: the proxy stopped: %v\n", err)
			forwardTo(sigs, syscall.SIGTERM)
			code = max(<-exited, term.ExitFail)
			done = true
		}
	}
	p.Close()
	return code
}

// forwardTo passes sig to the server's command without waiting: one signal
// pending is as good as two.
func forwardTo(sigs chan<- os.Signal, sig os.Signal) {
	select {
	case sigs <- sig:
	default:
	}
}

// tracing holds the proxy's flags as given.
type tracing struct {
	headers                                   bool
	latency, latencyToServer, latencyToClient time.Duration
	rate, rateToServer, rateToClient          string
	stallFor, stallAfter, cutAfter            time.Duration
}

func traceFlags(fs *flag.FlagSet) *tracing {
	t := &tracing{}
	fs.BoolVar(&t.headers, "headers", false, "print the headers of every request and response, not only the upgrade's")
	fs.DurationVar(&t.latency, "latency", 0, "latency added each way, e.g. 100ms")
	fs.DurationVar(&t.latencyToServer, "latency-to-server", 0, "latency added client→server (instead of -latency)")
	fs.DurationVar(&t.latencyToClient, "latency-to-client", 0, "latency added server→client (instead of -latency)")
	fs.StringVar(&t.rate, "rate", "", "bandwidth cap each way in bytes per second, e.g. 2000 or 16k (k=1024, m=1024k)")
	fs.StringVar(&t.rateToServer, "rate-to-server", "", "bandwidth cap client→server (instead of -rate)")
	fs.StringVar(&t.rateToClient, "rate-to-client", "", "bandwidth cap server→client (instead of -rate)")
	fs.DurationVar(&t.stallFor, "stall", 0, "stop reading from the server for this long on each connection (a client that falls behind); also the length of the s key's stall")
	fs.DurationVar(&t.stallAfter, "stall-after", 0, "start -stall this long after each connection opens")
	fs.DurationVar(&t.cutAfter, "cut-after", 0, "reset each connection, both ways, this long after it opens (a network that drops it)")
	return t
}

// faults turns the flags into the proxy's faults.
func (t *tracing) faults() (proxy.Faults, error) {
	f := proxy.Faults{
		LatencyToServer: either(t.latencyToServer, t.latency),
		LatencyToClient: either(t.latencyToClient, t.latency),
		StallFor:        t.stallFor,
		StallAfter:      t.stallAfter,
		CutAfter:        t.cutAfter,
	}
	for _, r := range []struct {
		flag, value string
		to          *int64
	}{
		{"-rate-to-server", either(t.rateToServer, t.rate), &f.RateToServer},
		{"-rate-to-client", either(t.rateToClient, t.rate), &f.RateToClient},
	} {
		n, err := parseRate(r.value)
		if err != nil {
			return f, fmt.Errorf("%s (or -rate) %q: %v", r.flag, r.value, err)
		}
		*r.to = n
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"-latency", f.LatencyToServer}, {"-latency", f.LatencyToClient}, {"-stall", t.stallFor}, {"-stall-after", t.stallAfter}, {"-cut-after", t.cutAfter}} {
		if d.v < 0 {
			return f, fmt.Errorf("%s %v: a duration cannot be negative", d.flag, d.v)
		}
	}
	return f, nil
}

// either is a if it is set, else b.
func either[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// parseRate reads bytes per second: a whole number, optionally with k
// (1024) or m (1024*1024); "" and 0 mean no cap.
func parseRate(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	switch strings.ToLower(s[len(s)-1:]) {
	case "k":
		mult, s = 1<<10, s[:len(s)-1]
	case "m":
		mult, s = 1<<20, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want bytes per second, such as 2000 or 16k")
	}
	return n * mult, nil
}

// keysHelp says which keys change the network while the proxy runs.
const keysHelp = "type a key and Enter: c cuts every connection now, s stalls reading from the server, + and - change the latency by 50ms"

// latencyStep is what + and - change the latency by, each way.
const latencyStep = 50 * time.Millisecond

// defaultStall is how long the s key stalls when -stall is not given.
const defaultStall = 5 * time.Second

// readKeys turns lines typed on in into faults until in ends.
func readKeys(in io.Reader, p *proxy.Proxy, stall time.Duration, help io.Writer) {
	if stall == 0 {
		stall = defaultStall
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		toServer, toClient := p.Latency()
		switch strings.TrimSpace(sc.Text()) {
		case "c":
			p.CutAll()
		case "s":
			p.StallAll(stall)
		case "+":
			p.SetLatency(toServer+latencyStep, toClient+latencyStep)
		case "-":
			p.SetLatency(max(toServer-latencyStep, 0), max(toClient-latencyStep, 0))
		case "":
		default:
			fmt.Fprintln(help, "trace: "+keysHelp)
		}
	}
}

// lineWriter writes whole lines to w, one Write at a time, so that the trace
// and the server's own output never break into each other's lines.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// listenTap passes the server's output on, except its `listening on` line:
// that address is the proxy's to print, and the server's goes to found.
type listenTap struct {
	w     io.Writer
	found chan<- string
	buf   []byte
	seen  bool
}

func (t *listenTap) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := t.buf[:i+1]
		t.buf = t.buf[i+1:]
		if addr, ok := strings.CutPrefix(strings.TrimSpace(string(line)), "listening on http://"); ok && !t.seen {
			t.seen = true
			t.found <- strings.TrimSuffix(addr, "/")
			continue
		}
		if _, err := t.w.Write(line); err != nil {
			return len(p), err
		}
	}
}
