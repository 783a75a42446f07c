package main

import (
	"testing"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"
)

// natsServer runs a NATS server with JetStream in this process, on port (a
// free one for natsserver.RANDOM_PORT), storing in dir, and shuts it down
// (and waits for it) when the test ends, after the instances that use it.
func natsServer(tb testing.TB, dir string, port int) *natsserver.Server {
	tb.Helper()
	ns, err := newNATSServer(dir, port, readTimeout)
	require.NoError(tb, err, "starting the test's NATS server")
	tb.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return ns
}

// startNATS runs a NATS server on a free port, storing in a directory of the
// test's own, and returns its URL.
func startNATS(tb testing.TB) string {
	tb.Helper()
	return natsServer(tb, tb.TempDir(), natsserver.RANDOM_PORT).ClientURL()
}

// startInstances starts n chat instances sharing one NATS server.
func startInstances(tb testing.TB, n int) (natsURL string, instances []*testServer) {
	tb.Helper()
	natsURL = startNATS(tb)
	for range n {
		instances = append(instances, startServer(tb, "-nats", natsURL))
	}
	return natsURL, instances
}
