package report

import (
	"testing"
	"time"

	"wscourse/tools/internal/gotest"
)

// A rerun's tests ran after the binary before it: their times count on
// from its end, as the student waits for both.
func TestAddRerun(t *testing.T) {
	res := &gotest.Result{Ran: 4 * time.Second, Tests: []*gotest.Test{{Name: "TestHang", Status: gotest.Failed, Unfinished: true, Ended: 4 * time.Second}}}
	more := &gotest.Result{Ran: 3 * time.Second, Failed: true, Tests: []*gotest.Test{{Name: "TestLater", Status: gotest.Failed, Ended: 2 * time.Second}}}
	addRerun(res, more)
	if got := res.Test("TestLater").Ended; got != 6*time.Second {
		t.Errorf("TestLater.Ended = %v, want 6s: 4s of the first binary, then 2s", got)
	}
	if res.Test("TestHang").Ended != 4*time.Second || res.Ran != 7*time.Second || !res.Failed {
		t.Errorf("TestHang.Ended, Ran, Failed = %v, %v, %v; want 4s, 7s, true", res.Test("TestHang").Ended, res.Ran, res.Failed)
	}
}
