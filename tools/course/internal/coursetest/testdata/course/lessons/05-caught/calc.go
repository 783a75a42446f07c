package main

// Greet returns "hello, NAME", or "hello, stranger" for no name.
func Greet(name string) string {
	// TODO: greet name.
	return ""
}

// Shout returns NAME in upper case with an exclamation mark.
func Shout(name string) string {
	// TODO: shout name.
	return ""
}

// Sum returns the sum of xs.
func Sum(xs ...int) int {
	// TODO: add xs up.
	return 0
}

// Clamp returns x limited to [lo, hi].
func Clamp(x, lo, hi int) int {
	// TODO: clamp x.
	return 0
}
