package gotest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Parse reads a `go test -json` stream to its end. Lines that are not JSON
// (a toolchain that prints to stdout before the stream starts) are kept as
// package output rather than failing the read.
func Parse(r io.Reader) (*Result, error) {
	p := parser{res: &Result{}, byName: map[string]*Test{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024) // one event may hold a long line
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			p.res.PackageOutput = append(p.res.PackageOutput, string(line))
			continue
		}
		p.add(e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read go test output: %w", err)
	}
	p.finish()
	return p.res, nil
}

type parser struct {
	res     *Result
	byName  map[string]*Test
	running map[string]bool      // top-level tests started and not yet ended
	started map[string]time.Time // when each package's test binary started
	last    event                // the last event with a time, for a stream cut short
}

func (p *parser) add(e event) {
	if !e.Time.IsZero() {
		p.last = e
	}
	switch e.Action {
	case "build-output":
		switch {
		case strings.HasPrefix(e.Output, "# ["):
			p.res.VetFailed = true // go test's vet heads its findings "# [pkg]"
		case strings.HasPrefix(e.Output, "# "): // "# pkg [pkg.test]" only names the package
		default:
			p.res.BuildOutput = append(p.res.BuildOutput, strings.TrimRight(e.Output, "\n"))
		}
		return
	case "build-fail":
		p.res.BuildFailed = true
		return
	}
	if e.Test == "" {
		p.addPackage(e)
		return
	}
	top, _, sub := strings.Cut(e.Test, "/")
	t := p.test(top)
	switch e.Action {
	case "run":
		if !sub {
			if p.running == nil {
				p.running = map[string]bool{}
			}
			p.running[top] = true
			t.Started = p.since(e)
		}
	case "output":
		t.addOutput(e.Test, e.Output)
	case "pass", "fail", "skip":
		if sub {
			return
		}
		delete(p.running, top)
		t.Status = map[string]Status{"pass": Passed, "fail": Failed, "skip": Skipped}[e.Action]
		t.Ended = p.since(e)
	}
}

// since is how long e's package's test binary had run at e: go test sends
// "start" just before it runs the binary, after the build.
func (p *parser) since(e event) time.Duration {
	start, ok := p.started[e.Package]
	if !ok || start.IsZero() || e.Time.IsZero() {
		return 0
	}
	return max(0, e.Time.Sub(start))
}

func (p *parser) addPackage(e event) {
	switch e.Action {
	case "start":
		if p.started == nil {
			p.started = map[string]time.Time{}
		}
		p.started[e.Package] = e.Time
	case "output":
		line := strings.TrimRight(e.Output, "\n")
		switch {
		case !isSummary(line):
			p.res.PackageOutput = append(p.res.PackageOutput, line)
		case strings.HasSuffix(line, "\t(cached)"):
			p.res.Cached = true // "ok  \tpkg\t(cached)": only passing runs are cached
		}
	case "pass":
		p.res.Ran = max(p.res.Ran, p.since(e))
	case "fail":
		p.res.Ran = max(p.res.Ran, p.since(e))
		p.res.Failed = true
		if e.FailedBuild != "" {
			p.res.BuildFailed = true
		}
		// A package that fails with tests still running was killed: the
		// test timed out or the binary crashed under it.
		for name := range p.running {
			t := p.byName[name]
			t.Status, t.Unfinished, t.Ended = Failed, true, p.since(e)
		}
		p.running = nil
	}
}

func (p *parser) test(name string) *Test {
	t, ok := p.byName[name]
	if !ok {
		t = &Test{Name: name}
		p.byName[name] = t
		p.res.Tests = append(p.res.Tests, t)
	}
	return t
}

// finish handles a stream cut short: tests still running failed.
func (p *parser) finish() {
	for name := range p.running {
		t := p.byName[name]
		t.Status, t.Unfinished, t.Ended = Failed, true, p.since(p.last)
		p.res.Failed = true
		p.res.Ran = max(p.res.Ran, t.Ended)
	}
	if p.res.BuildFailed || p.res.Count(Failed) > 0 {
		p.res.Failed = true
	}
}

// isSummary tells the lines go test closes a package with, which say nothing
// the result does not.
func isSummary(line string) bool {
	for _, p := range []string{"ok  \t", "FAIL\t", "?   \t", "coverage:"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return line == "PASS" || line == "FAIL" || line == "testing: warning: no tests to run"
}
