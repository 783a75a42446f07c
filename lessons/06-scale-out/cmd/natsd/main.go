// Command natsd runs a NATS server with JetStream, the same as the chat's
// embedded one, in a process of its own: `make demo-6` starts it, then the
// instances with -nats, so that killing an instance leaves the broker up.
//
//	go run ./cmd/natsd -addr 127.0.0.1:4222
//
// It prints "nats listening on nats://HOST:PORT" once it takes connections,
// stores in a new temporary directory, and on SIGINT or SIGTERM shuts down
// and removes it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4222", "`host:port` to listen on (port 0: a free one)")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "natsd:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return fmt.Errorf("port %q: %w", p, err)
	}
	if port == 0 {
		port = natsserver.RANDOM_PORT
	}
	dir, err := os.MkdirTemp("", "natsd-jetstream-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ns, err := natsserver.NewServer(&natsserver.Options{
		Host:      host,
		Port:      port,
		JetStream: true,
		StoreDir:  dir,
		NoSigs:    true, // handled here, to remove the directory
		NoLog:     true,
	})
	if err != nil {
		return err
	}
	ns.Start()
	defer func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	}()
	if !ns.ReadyForConnections(10 * time.Second) {
		return fmt.Errorf("not ready within 10s")
	}
	fmt.Printf("nats listening on %s\n", ns.ClientURL())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
