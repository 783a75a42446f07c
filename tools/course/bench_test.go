package main

import (
	"strings"
	"testing"
)

func TestBenchUsage(t *testing.T) {
	t.Parallel()
	if code, _ := runCmd(t, fixture(t), "bench", "-nope"); code != exitUsage {
		t.Errorf("bench -nope: exit status %d, want %d", code, exitUsage)
	}
	// The fixture's lesson 5 has no cmd/compare to build.
	te := newTestEnv(fixture(t))
	if code := run(t.Context(), te.env, []string{"bench"}); code != exitFail {
		t.Errorf("bench without a cmd/compare: exit status %d, want %d", code, exitFail)
	}
	if got := te.errOut.String(); !strings.Contains(got, "cmd/compare") {
		t.Errorf("bench without a cmd/compare said %q; want it to name cmd/compare", got)
	}
}
