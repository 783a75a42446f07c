package main

import "testing"

func TestOrphan(t *testing.T) {
	if got := Neg(0); got != 0 {
		t.Errorf("Neg(0) = %d, want 0", got)
	}
}

func TestNeg(t *testing.T) {
	if got := Neg(3); got != -3 {
		t.Errorf("Neg(3) = %d, want -3", got)
	}
}
