package gotest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// DefaultTimeout is the -timeout a run gets unless Options say otherwise:
// long enough for the slowest lesson under -race, short enough that a hung
// read ends the run.
const DefaultTimeout = 2 * time.Minute

// Options are the go test flags a run adds to -json.
type Options struct {
	Race    bool          // -race
	NoCache bool          // -count=1
	Run     string        // -run: only the tests this pattern matches
	Timeout time.Duration // -timeout; zero means DefaultTimeout
	// FailFast (-failfast) starts no test after one has failed: for a run
	// that wants only the first failure.
	FailFast bool
	// Notify, when set, hears what go test does as it does it (downloads,
	// tests starting and ending), from more than one goroutine at a time.
	Notify func(Note)
}

// TimeoutOrDefault is the -timeout the run gets.
func (o Options) TimeoutOrDefault() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

// Run runs `go test -json ./...` in dir as a module of its own (GOWORK=off,
// as every lesson must build alone) and reads its result. An error means go
// test could not start or stopped before running anything (a go.mod problem,
// a cancelled context); its text holds what go printed.
func Run(ctx context.Context, dir string, opt Options) (*Result, error) {
	args := []string{"test", "-json", "-timeout=" + opt.TimeoutOrDefault().String()}
	if opt.Race {
		args = append(args, "-race")
	}
	if opt.NoCache {
		args = append(args, "-count=1")
	}
	if opt.Run != "" {
		args = append(args, "-run="+opt.Run)
	}
	if opt.FailFast {
		args = append(args, "-failfast")
	}
	args = append(args, "./...")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if opt.Race {
		cmd.Env = append(cmd.Env, raceOptions(os.Getenv("GORACE")))
	}
	StopTree(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if opt.Notify != nil {
		notes := func(read func([]byte) (Note, bool)) *lineWriter {
			return &lineWriter{fn: func(line []byte) {
				if n, ok := read(line); ok {
					opt.Notify(n)
				}
			}}
		}
		cmd.Stdout = io.MultiWriter(&stdout, notes(eventNote))
		cmd.Stderr = io.MultiWriter(&stderr, notes(stderrNote))
	}
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	res, err := Parse(&stdout)
	if err != nil {
		return nil, err
	}
	if runErr != nil && !res.Failed {
		// go test failed before any package reported: say what go said.
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = runErr.Error()
		}
		return nil, fmt.Errorf("go test in %s: %s", dir, msg)
	}
	if res.BuildFailed {
		// Some setup errors come on stderr rather than as events.
		res.BuildOutput = append(res.BuildOutput, setupErrors(stderr.String())...)
	}
	return res, nil
}

// setupErrors are the lines go printed on stderr, without progress notes.
func setupErrors(stderr string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line != "" && !strings.HasPrefix(line, "go: downloading ") {
			out = append(out, line)
		}
	}
	return out
}

// raceOptions returns the GORACE setting for a run: the user's, without the
// race detector's one-second sleep before a test binary exits (it waits for
// reports from goroutines that the test has already stopped), which would
// add a second to every run.
func raceOptions(user string) string {
	if strings.Contains(user, "atexit_sleep_ms") {
		return "GORACE=" + user
	}
	return "GORACE=" + strings.TrimSpace(user+" atexit_sleep_ms=0")
}
