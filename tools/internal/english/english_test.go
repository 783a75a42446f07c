package english

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 tests", 1: "1 test", 2: "2 tests", 11: "11 tests"} {
		if got := Count(n, "test"); got != want {
			t.Errorf("Count(%d, \"test\") = %q, want %q", n, got, want)
		}
	}
}
