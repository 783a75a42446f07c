package main

import "testing"

// TestHalf comes first in the source and second in the lesson.
func TestHalf(t *testing.T) {
	for _, c := range []struct{ n, want int }{{4, 2}, {9, 4}} {
		if got := Half(c.n); got != c.want {
			t.Errorf("Half(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

func TestEven(t *testing.T) {
	for _, c := range []struct {
		n    int
		want bool
	}{{4, true}, {7, false}} {
		if got := Even(c.n); got != c.want {
			t.Errorf("Even(%d) = %v, want %v", c.n, got, c.want)
		}
	}
}
