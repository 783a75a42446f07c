package main

// Half returns n / 2.
func Half(n int) int {
	// TODO: halve n.
	return 0
}

// Even reports whether n is even.
func Even(n int) bool {
	// TODO: look at the last bit.
	return false
}
