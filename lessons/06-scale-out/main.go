// Command chat is lesson 04's chat spread over several instances that share
// their rooms through NATS: messages go through a JetStream stream, which
// gives them their ids and keeps the history, and presence through a NATS
// key-value bucket. Without -nats it starts an embedded NATS server with
// JetStream in a temporary directory, so that nothing needs installing, and
// three instances on consecutive ports (-instances).
//
// This file is given, with broker.go, embedded.go, rooms.go, client.go,
// protocol.go, ratelimit.go and the files shared by every lesson (flags.go,
// origin.go, origin_coder.go, serve.go). Yours are room.go and presence.go.
package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

// maxMessageSize is the largest message a client may send, counted over the
// whole reassembled message: 16384 bytes pass, 16385 close with 1009.
const maxMessageSize = 16 << 10

//go:embed static
var staticFiles embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exit("chat", run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, starts the embedded NATS server unless -nats names one,
// serves -instances chat instances on consecutive ports until ctx is done,
// then shuts them down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlags("chat", stderr, &cfg)
	natsURL := fs.String("nats", "", "`URL` of the NATS server (with JetStream) to use; empty starts an embedded one")
	instances := fs.Int("instances", 0, "how many chat instances to run in this process, on consecutive ports from -addr\n(0: three with the embedded NATS server, a demo of several on one machine; one with -nats)")
	presenceTTL := fs.Duration("presence-ttl", 30*time.Second, "a member of an instance that stops answering NATS is gone after this long")
	roomIdle := fs.Duration("room-idle", time.Minute, "an instance lets go of a room nobody has been in for this long: its consumer, watcher and history")
	if err := parseFlags(fs, args, &cfg); err != nil {
		return err
	}
	if *instances == 0 {
		*instances = 1
		if *natsURL == "" {
			*instances = 3
		}
	}
	addrs, err := consecutive(cfg.addr, *instances)
	if err != nil {
		return err
	}
	if *presenceTTL < minPresenceTTL {
		return fmt.Errorf("-presence-ttl must be at least %v, got %v", minPresenceTTL, *presenceTTL)
	}
	if *roomIdle <= 0 {
		return fmt.Errorf("-room-idle must be positive, got %v", *roomIdle)
	}
	logf := log.New(stderr, "", log.LstdFlags).Printf
	if *natsURL == "" {
		url, stopNATS, err := startEmbeddedNATS(logf)
		if err != nil {
			return err
		}
		defer stopNATS()
		*natsURL = url
	}

	// The instance on -addr starts first, so that the first "listening on"
	// line is the address asked for, as with every lesson's server.
	var wg sync.WaitGroup
	errs := make([]error, len(addrs))
	listening := &firstWrite{w: stdout, done: make(chan struct{})}
	ended := make(chan struct{})
	for i, addr := range addrs {
		icfg := cfg
		icfg.addr = addr
		out := stdout
		if i == 0 {
			out = listening
		}
		wg.Go(func() {
			errs[i] = runInstance(ctx, icfg, *natsURL, *presenceTTL, *roomIdle, out, logf)
			if i == 0 {
				close(ended)
			}
		})
		if i == 0 {
			select {
			case <-listening.done:
			case <-ended: // it could not listen: its error says why
			}
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}

// firstWrite passes writes on to w and closes done after the first.
type firstWrite struct {
	w    io.Writer
	once sync.Once
	done chan struct{}
}

func (f *firstWrite) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	f.once.Do(func() { close(f.done) })
	return n, err
}

// consecutive returns n addresses on consecutive ports, starting at addr;
// port 0 gives each its own free port.
func consecutive(addr string, n int) ([]string, error) {
	if n < 1 {
		return nil, fmt.Errorf("-instances must be at least 1, got %d", n)
	}
	host, p, err := net.SplitHostPort(addr)
	port, perr := strconv.Atoi(p)
	if err != nil || perr != nil {
		return nil, fmt.Errorf("-addr %q: want host:port", addr)
	}
	var out []string
	for i := range n {
		if port != 0 {
			addr = net.JoinHostPort(host, strconv.Itoa(port+i))
		}
		out = append(out, addr)
	}
	return out, nil
}

// runInstance is one chat instance: its own HTTP server, its own connection
// to NATS, its own rooms, sharing everything else through NATS.
func runInstance(ctx context.Context, cfg config, natsURL string, presenceTTL, roomIdle time.Duration, stdout io.Writer, logf func(string, ...any)) error {
	nc, err := nats.Connect(natsURL,
		nats.Name("chat "+cfg.addr),
		nats.MaxReconnects(-1), // NATS restarting is a pause, not the end
		nats.ReconnectWait(250*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				logf("instance %s: lost NATS (%v); reconnecting", cfg.addr, err)
			}
		}),
		// Into the log, not nats.go's default of os.Stderr.
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			logf("instance %s: NATS: %v", cfg.addr, err)
		}))
	if err != nil {
		return fmt.Errorf("connect to NATS at %s: %w", natsURL, err)
	}
	defer nc.Close()
	b, err := openBroker(ctx, nc, presenceTTL)
	if err != nil {
		return err
	}
	nc.SetReconnectHandler(func(*nats.Conn) {
		logf("instance %s: NATS is back", cfg.addr)
		b.onReconnect()
	})
	s := &server{cfg: cfg, sockets: newSockets(), logf: logf}
	if s.claims, err = newClaims(b); err != nil {
		return err
	}
	// The rooms and the claims refresher stop when shutdown begins.
	s.rooms = newRooms(s.closing, b, roomIdle, logf)
	refreshed := make(chan struct{})
	go func() {
		defer close(refreshed)
		s.claims.refresh(s.closing, presenceTTL/3)
	}()
	err = serve(ctx, cfg.addr, s.routes(), s.sockets, stdout, logf)
	s.startClosing() // when serve failed to start, the rooms stop too
	if !s.rooms.wait(time.Second) {
		logf("shutdown: rooms still running 1s after shutdown began")
	}
	<-refreshed
	return err
}

// server answers the browser client on / and the chat on /ws.
type server struct {
	cfg config
	*sockets
	rooms  *rooms
	claims *claims
	logf   func(format string, args ...any)
}

func (s *server) routes() http.Handler {
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // static/ is embedded at build time: cannot happen
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /ws", s.track(s.serveWS))
	return mux
}
