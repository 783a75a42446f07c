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
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
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
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("handshake", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	origins := flags.String("origin", "", "comma-separated host:port patterns of other origins to accept, e.g. localhost:*")
	ping := flags.Duration("ping", defaultConfig.pingPeriod, "ping a peer that has been silent this long")
	pong := flags.Duration("pong", defaultConfig.pongWait, "drop a peer that does not answer a ping, or finish a frame, within this long")
	if err := flags.Parse(args); err != nil {
		return err
	}
	cfg := defaultConfig
	cfg.pingPeriod, cfg.pongWait = *ping, *pong

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	s := newServer(splitList(*origins), cfg)
	hs := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	// Stop accepting and close the WebSockets at the same time: Shutdown does
	// not know about hijacked connections, the server's own shutdown does.
	httpDone := make(chan error, 1)
	go func() { httpDone <- shutdownHTTP(hs) }()
	if err := s.shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
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

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
