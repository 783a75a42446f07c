package main

func main() {}

// Double returns twice n.
func Double(n int) int {
	// TODO: (done) double n.
	return 2 * n
}
