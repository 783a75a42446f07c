package main

// Half returns n / 2.
func Half(n int) int {
	return n / 2
}

// Even reports whether n is even.
func Even(n int) bool {
	return n%2 == 0
}
