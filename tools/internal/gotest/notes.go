package gotest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
)

// NoteKind is what a Note reports.
type NoteKind int

const (
	Download NoteKind = iota // go is downloading Module
	Start                    // a package's test binary has started: the build is over
	RunTest                  // top-level test Test has started
	PassTest                 // top-level test Test passed
	FailTest                 // top-level test Test failed
	SkipTest                 // top-level test Test was skipped
)

// Note is one thing go test reported while it ran, for a progress line: the
// stream is read as it comes, so a caller can say what a long run is doing.
type Note struct {
	Kind   NoteKind
	Module string // Download: "github.com/gorilla/websocket v1.5.3"
	Test   string // RunTest, PassTest, FailTest, SkipTest: the top-level test
}

// lineWriter calls fn with every complete line written to it.
type lineWriter struct {
	mu   sync.Mutex
	part []byte
	fn   func(line []byte)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.part = append(w.part, p...)
	for {
		i := bytes.IndexByte(w.part, '\n')
		if i < 0 {
			break
		}
		w.fn(w.part[:i])
		w.part = w.part[i+1:]
	}
	return len(p), nil
}

// eventNote is the note an event of the -json stream makes, if any.
func eventNote(line []byte) (Note, bool) {
	var e event
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
		return Note{}, false
	}
	if e.Test == "" {
		return Note{Kind: Start}, e.Action == "start"
	}
	if strings.Contains(e.Test, "/") {
		return Note{}, false // subtests: the line names the top-level test
	}
	kind, ok := map[string]NoteKind{"run": RunTest, "pass": PassTest, "fail": FailTest, "skip": SkipTest}[e.Action]
	return Note{Kind: kind, Test: e.Test}, ok
}

// stderrNote is the note a line go printed on stderr makes, if any.
func stderrNote(line []byte) (Note, bool) {
	mod, ok := strings.CutPrefix(string(line), "go: downloading ")
	return Note{Kind: Download, Module: strings.TrimSpace(mod)}, ok
}
