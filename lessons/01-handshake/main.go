// Command handshake is an echo server that speaks WebSocket (RFC 6455)
// written by hand: the opening handshake, the frame codec and the echo loop.
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

//go:embed static
var staticFiles embed.FS

// shutdownWait bounds a graceful shutdown, inside the 5 seconds a supervisor
// such as the course runner allows before it kills the process.
const shutdownWait = 4 * time.Second

// httpWait bounds how long plain HTTP requests in flight may take to finish.
const httpWait = time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, new(usageError)):
		os.Exit(2) // the flag package has printed the problem and the usage
	default:
		fmt.Fprintln(os.Stderr, "handshake:", err)
		os.Exit(1)
	}
}

// options are what the flags set.
type options struct {
	addr    string
	origins []string
	cfg     config
}

// usageError is a flag the flag package could not parse; it has said so.
type usageError struct{ error }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	flags := flag.NewFlagSet("handshake", flag.ContinueOnError)
	flags.SetOutput(stderr)
	opts := options{cfg: defaultConfig}
	var origins string
	flags.StringVar(&opts.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	flags.StringVar(&origins, "origin", "", "comma-separated `patterns` of other origins allowed to connect, such as\n\"localhost:*,*.example.org\" (path.Match syntax; a pattern without a port allows any port)")
	flags.DurationVar(&opts.cfg.pingPeriod, "ping-period", defaultConfig.pingPeriod, "ping a peer that has been silent this long")
	flags.DurationVar(&opts.cfg.pongWait, "pong-wait", defaultConfig.pongWait, "drop a peer that does not answer a ping, or finish a frame, within this long")
	flags.DurationVar(&opts.cfg.writeWait, "write-wait", defaultConfig.writeWait, "how long one write to a peer may take")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return options{}, err
		}
		return options{}, usageError{err}
	}
	if flags.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q (flags only; see -h)", flags.Arg(0))
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"-ping-period", opts.cfg.pingPeriod}, {"-pong-wait", opts.cfg.pongWait}, {"-write-wait", opts.cfg.writeWait}} {
		if f.d <= 0 {
			return options{}, fmt.Errorf("%s must be positive, got %v", f.name, f.d)
		}
	}
	var err error
	if opts.origins, err = parseOrigins(origins); err != nil {
		return options{}, err
	}
	return opts, nil
}

// run serves until ctx is done, then shuts down gracefully. The listening
// line goes to stdout, everything else the server has to say to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := log.New(stderr, "", log.LstdFlags)

	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return err
	}
	s := newServer(opts.origins, opts.cfg)
	hs := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          log.New(stderr, "http: ", log.LstdFlags),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Printf("shutting down: closing WebSockets with %d", closeGoingAway)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	// Stop accepting and close the WebSockets at the same time: Shutdown does
	// not know about hijacked connections, the server's own shutdown does.
	httpDone := make(chan error, 1)
	go func() { httpDone <- shutdownHTTP(hs) }()
	if err := s.shutdown(sctx); err != nil {
		logger.Printf("shutdown: %v", err)
	}
	<-httpDone
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// shutdownHTTP lets requests in flight finish, then closes what is left.
// Browsers open spare connections that never carry a request, and Shutdown
// would wait seconds for those, so after httpWait they are simply closed.
func shutdownHTTP(hs *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), httpWait)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		return hs.Close()
	}
	return nil
}
