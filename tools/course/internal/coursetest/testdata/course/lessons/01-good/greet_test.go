package main

import "testing"

func TestFirst(t *testing.T) {
	if got := Version(); got != 1 {
		t.Errorf("Version() = %d, want 1", got)
	}
}

func TestSecond(t *testing.T) {
	for _, name := range []string{"alice", "bob"} {
		t.Run(name, func(t *testing.T) {
			if got, want := Greet(name), "hello, "+name; got != want {
				t.Errorf("Greet(%q) = %q, want %q", name, got, want)
			}
		})
	}
}

func TestThird(t *testing.T) {
	if got, want := Shout("ann"), "HELLO, ANN!"; got != want {
		t.Errorf("Shout(%q) = %q, want %q", "ann", got, want)
	}
}
