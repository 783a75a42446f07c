// Package gotest runs `go test -json` and reads its event stream into a result
// per top-level test. The runner's lesson report, progress and verify all read
// tests through it, so there is one reading of what passed, failed or never ran.
package gotest

import "time"

// event is one line of `go test -json` (see `go doc test2json`). Build events
// carry ImportPath instead of Package.
type event struct {
	Time        time.Time // when test2json saw it; zero on build events
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Output      string
	FailedBuild string
}
