package gotest

import (
	"slices"
	"sync"
	"testing"
)

// Run tells Notify what go test does while it runs: the package starting,
// then each top-level test starting and ending, and never a subtest.
func TestRunNotify(t *testing.T) {
	t.Parallel()
	dir := module(t, "package m\n\nimport \"testing\"\n\nfunc TestOK(t *testing.T) { t.Run(\"sub\", func(*testing.T) {}) }\nfunc TestBad(t *testing.T) { t.Error(\"got 1, want 2\") }\n")
	var mu sync.Mutex
	var got []Note
	_, err := Run(t.Context(), dir, Options{NoCache: true, Notify: func(n Note) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, n)
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Note{{Kind: Start}, {Kind: RunTest, Test: "TestOK"}, {Kind: PassTest, Test: "TestOK"}, {Kind: RunTest, Test: "TestBad"}, {Kind: FailTest, Test: "TestBad"}}
	if !slices.Equal(got, want) {
		t.Errorf("notes:\n got %+v\nwant %+v", got, want)
	}
}

// Lines reach the reader whole, however the writes split them, and only
// go's download lines on stderr make notes.
func TestLineNotes(t *testing.T) {
	var got []Note
	w := &lineWriter{fn: func(line []byte) {
		if n, ok := stderrNote(line); ok {
			got = append(got, n)
		}
	}}
	for _, p := range []string{"go: downl", "oading github.com/gorilla/websocket v1.5.3\ngo: finding", " something\ngo: downloading golang.org/x/net v0.1.0\n", "go: downloading cut"} {
		_, _ = w.Write([]byte(p))
	}
	want := []Note{{Kind: Download, Module: "github.com/gorilla/websocket v1.5.3"}, {Kind: Download, Module: "golang.org/x/net v0.1.0"}}
	if !slices.Equal(got, want) {
		t.Errorf("notes:\n got %+v\nwant %+v", got, want)
	}
	for _, line := range []string{`{"Action":"output","Test":"TestA/sub","Output":"x"}`, `{"Action":"run","Test":"TestA/sub"}`, `not json`, `{"Action":"pass"}`} {
		if n, ok := eventNote([]byte(line)); ok {
			t.Errorf("eventNote(%s) = %+v, want no note", line, n)
		}
	}
}
