package report

import (
	"strings"
	"testing"
)

func TestCondenseRacesLeavesOutRepeats(t *testing.T) {
	t.Parallel()
	dir := "/course/lessons/01-x"
	report := func(addr, g string) []string {
		return []string{
			"==================",
			"WARNING: DATA RACE",
			"Write at " + addr + " by goroutine " + g + ":",
			"  wscourse/lessons/01-x.(*hub).relay()",
			"      " + dir + "/hub.go:14 +0x44",
			"",
			"Previous read at " + addr + " by goroutine 7:",
			"  wscourse/lessons/01-x.(*hub).run()",
			"      " + dir + "/hub.go:20 +0x1c",
			"==================",
		}
	}
	var lines []string
	lines = append(lines, "before")
	lines = append(lines, report("0x00c000100018", "22")...)
	lines = append(lines, report("0x00c000200020", "31")...)
	lines = append(lines, "after")
	rel := func(p string) string { return strings.TrimPrefix(p, "/course/") }
	got := strings.Join(condenseRaces(lines, dir, rel), "\n")
	if n := strings.Count(got, raceTitle); n != 1 {
		t.Errorf("condenseRaces shows %d race reports, want 1 (the second is the same race):\n%s", n, got)
	}
	for _, want := range []string{"before", "lessons/01-x/hub.go:14", "after", "(1 more race report at the same places in the code left out)"} {
		if !strings.Contains(got, want) {
			t.Errorf("condenseRaces output lacks %q:\n%s", want, got)
		}
	}
}
