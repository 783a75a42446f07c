package main

import (
	"fmt"
	"os"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// startEmbeddedNATS runs a NATS server with JetStream inside this process, on
// a free port of 127.0.0.1, storing in a new temporary directory. stop shuts
// it down and removes the directory: the history lives as long as the
// process. Other processes may join it with -nats and the URL it logs.
func startEmbeddedNATS(logf func(string, ...any)) (url string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "chat-jetstream-")
	if err != nil {
		return "", nil, err
	}
	ns, err := newNATSServer(dir, natsserver.RANDOM_PORT, 10*time.Second)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("embedded NATS: %w", err)
	}
	logf("embedded NATS server at %s, JetStream in %s (other instances: -nats %s)", ns.ClientURL(), dir, ns.ClientURL())
	return ns.ClientURL(), func() {
		ns.Shutdown()
		ns.WaitForShutdown()
		os.RemoveAll(dir)
	}, nil
}

// newNATSServer starts a NATS server with JetStream in this process, on
// 127.0.0.1:port (a free port for natsserver.RANDOM_PORT), storing in dir,
// and waits up to ready for it to take connections.
func newNATSServer(dir string, port int, ready time.Duration) (*natsserver.Server, error) {
	ns, err := natsserver.NewServer(&natsserver.Options{
		Host:      "127.0.0.1",
		Port:      port,
		JetStream: true,
		StoreDir:  dir,
		NoSigs:    true, // the chat handles SIGINT and SIGTERM
		NoLog:     true,
	})
	if err != nil {
		return nil, err
	}
	ns.Start()
	if !ns.ReadyForConnections(ready) {
		ns.Shutdown()
		return nil, fmt.Errorf("not ready within %v", ready)
	}
	return ns, nil
}
