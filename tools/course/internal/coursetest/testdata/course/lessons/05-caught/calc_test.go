package main

import "testing"

func TestVersion(t *testing.T) {
	if got := Version(); got != 1 {
		t.Errorf("Version() = %d, want 1; see main.go", got)
	}
}

func TestGreet(t *testing.T) {
	for _, c := range []struct{ name, want string }{{"ann", "hello, ann"}, {"", "hello, stranger"}} {
		if got := Greet(c.name); got != c.want {
			t.Errorf("Greet(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestShout(t *testing.T) {
	if got, want := Shout("ann"), "ANN!"; got != want {
		t.Errorf("Shout(%q) = %q, want %q: the name in upper case, then an exclamation mark", "ann", got, want)
	}
}

func TestSum(t *testing.T) {
	for _, c := range []struct {
		xs   []int
		want int
	}{{nil, 0}, {[]int{4}, 4}, {[]int{1, 2, 3}, 6}} {
		if got := Sum(c.xs...); got != c.want {
			t.Errorf("Sum(%v) = %d, want %d", c.xs, got, c.want)
		}
	}
}

func TestClamp(t *testing.T) {
	for _, c := range []struct{ x, lo, hi, want int }{{5, 0, 10, 5}, {-3, 0, 10, 0}, {12, 0, 10, 10}} {
		if got := Clamp(c.x, c.lo, c.hi); got != c.want {
			t.Errorf("Clamp(%d, %d, %d) = %d, want %d", c.x, c.lo, c.hi, got, c.want)
		}
	}
}
