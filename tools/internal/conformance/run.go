package conformance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// DefaultTimeout is how long a case may take when Options.Timeout is zero:
// ample for an echo on a local network, little for a server that never answers.
const DefaultTimeout = 2 * time.Second

// Options says which server to test and how.
type Options struct {
	// URL is the echo endpoint, ws://host:port/path.
	URL string
	// Origin, when set, is sent as the Origin header; by default none is,
	// as from a command-line client.
	Origin string
	// Timeout bounds each case (DefaultTimeout when zero); the throughput
	// cases get ten times as long.
	Timeout time.Duration
	// Only selects cases by ID or ID prefix ("6", "7.2", "1.1.3"); empty
	// runs every case.
	Only []string
	// Progress, when set, is called after each case.
	Progress func(CaseResult)
}

// Results are the outcome of a run, in case order.
type Results struct {
	URL     string       `json:"url"`
	Started time.Time    `json:"started"`
	Seconds float64      `json:"seconds"`
	Timeout string       `json:"timeout_per_case"`
	Cases   []CaseResult `json:"cases"`
}

// CaseResult is one case's verdict, with the transcript of its connection
// when it did not pass.
type CaseResult struct {
	ID         string      `json:"id"`
	Section    int         `json:"section"`
	Sends      string      `json:"sends"`
	Requires   string      `json:"requires"`
	Verdict    Verdict     `json:"verdict"`
	Why        []string    `json:"why,omitempty"` // one line per thing that fell short
	MS         float64     `json:"ms"`
	Throughput *Throughput `json:"throughput,omitempty"`
	Transcript []Event     `json:"transcript,omitempty"`
}

// Run runs the selected cases against the echo server at opts.URL, one
// after another, each on a connection of its own. It returns an error when
// the URL is not a ws:// URL, the server cannot be reached at all or nothing
// matches opts.Only; when ctx ends it returns the cases finished so far
// with ctx's error.
func Run(ctx context.Context, opts Options) (*Results, error) {
	t, err := parseTarget(opts.URL)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	var cases []Case
	for _, c := range Cases() {
		if c.matches(opts.Only) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("no case matches %q", opts.Only)
	}
	// One dial first, so that a server that is not there is one error
	// rather than a failure per case.
	probe, err := (&net.Dialer{Timeout: opts.Timeout}).DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, fmt.Errorf("cannot reach %s: %w", t.addr, err)
	}
	_ = probe.Close()

	res := &Results{URL: opts.URL, Started: time.Now(), Timeout: opts.Timeout.String()}
	for _, c := range cases {
		r := runCase(ctx, c, t, opts)
		if ctx.Err() != nil {
			break // the case was cut short: its verdict would be about ctx
		}
		res.Cases = append(res.Cases, r)
		if opts.Progress != nil {
			opts.Progress(r)
		}
	}
	res.Seconds = time.Since(res.Started).Seconds()
	return res, ctx.Err()
}

// runCase runs c on a connection of its own and judges it.
func runCase(ctx context.Context, c Case, t target, opts Options) (r CaseResult) {
	timeout := opts.Timeout * time.Duration(max(1, c.long))
	start := time.Now()
	deadline := start.Add(timeout)
	r = CaseResult{ID: c.ID, Section: c.Section, Sends: c.Sends, Requires: c.Requires}
	defer func() { r.MS = float64(time.Since(start).Microseconds()) / 1000 }()

	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	nc, err := (&net.Dialer{}).DialContext(dctx, "tcp", t.addr)
	if err != nil {
		r.Verdict, r.Why = Fail, []string{"cannot connect: " + describe(err)}
		return r
	}
	defer nc.Close()
	// Ending ctx ends the case at once, whatever it waits on.
	stop := context.AfterFunc(ctx, func() { _ = nc.Close() })
	defer stop()
	_ = nc.SetDeadline(deadline)

	rec := newRecorder(nc)
	s := &session{rec: rec, deadline: deadline, quietFor: min(timeout/4, 500*time.Millisecond)}
	if s.br, err = handshake(rec, t, opts.Origin); err != nil {
		s.mark(Fail, err.Error())
	} else if err := c.run(s); err != nil && !errors.Is(err, errStop) {
		s.mark(Fail, err.Error())
	}
	r.Verdict, r.Why, r.Throughput = s.verdict, s.why, s.rate
	if r.Verdict != Pass {
		r.Transcript = rec.events()
	}
	return r
}
