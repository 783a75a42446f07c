package main

import "strings"

// Greet returns "hello, NAME", or "hello, stranger" for no name.
func Greet(name string) string {
	if name == "" {
		name = "stranger"
	}
	return "hello, " + name
}

// Shout returns NAME in upper case with an exclamation mark.
func Shout(name string) string {
	return strings.ToUpper(name) + "!"
}

// Sum returns the sum of xs.
func Sum(xs ...int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}

// Clamp returns x limited to [lo, hi].
func Clamp(x, lo, hi int) int {
	return min(max(x, lo), hi)
}
