// course:shared: the same in every lesson that has this file; make verify compares the copies.

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// config holds what the flags every lesson's server has set.
type config struct {
	addr       string
	origins    originPolicy
	pingPeriod time.Duration // ping each peer this often (at least while it is silent)
	pongWait   time.Duration // a peer that has not answered a ping within this long is dropped
	writeWait  time.Duration // one write to a peer may take this long
	closeWait  time.Duration // the peer has this long to answer the server's close frame
}

// defaultConfig is what the flags start from. A peer stays connected while it
// answers pings; one that stalls is found within pingPeriod+pongWait.
var defaultConfig = config{
	addr:       "127.0.0.1:8080",
	pingPeriod: 30 * time.Second,
	pongWait:   10 * time.Second,
	writeWait:  10 * time.Second,
	closeWait:  2 * time.Second,
}

// newFlags returns the flag set of the command name, with the common flags
// bound to cfg; a lesson adds its own before parseFlags.
func newFlags(name string, stderr io.Writer, cfg *config) *flag.FlagSet {
	*cfg = defaultConfig
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", cfg.addr, "`host:port` to listen on (port 0 picks a free port)")
	fs.Func("origin", "comma-separated `patterns` of other origins allowed to connect, such as\n\"localhost:*,*.example.org\" (path.Match syntax; a pattern without a port allows any port)", func(s string) (err error) {
		cfg.origins, err = parseOrigins(s)
		return err
	})
	fs.DurationVar(&cfg.pingPeriod, "ping-period", cfg.pingPeriod, "ping each peer this often (at least while it is silent)")
	fs.DurationVar(&cfg.pongWait, "pong-wait", cfg.pongWait, "drop a peer that has not answered a ping within this long")
	fs.DurationVar(&cfg.writeWait, "write-wait", cfg.writeWait, "give up on a write to a peer after this long")
	return fs
}

// parseFlags parses args into fs and checks the common flags.
func parseFlags(fs *flag.FlagSet, args []string, cfg *config) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"-ping-period", cfg.pingPeriod}, {"-pong-wait", cfg.pongWait}, {"-write-wait", cfg.writeWait}} {
		if f.d <= 0 {
			return fmt.Errorf("%s must be positive, got %v", f.name, f.d)
		}
	}
	return nil
}

// usageError is a command line the flag package refused; it has said why.
type usageError struct{ error }

// exit ends the process after run returned err: 0 for nil or -h, 2 for a
// command line the flag package refused, 1 for any other error.
func exit(name string, err error) {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, new(usageError)):
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
