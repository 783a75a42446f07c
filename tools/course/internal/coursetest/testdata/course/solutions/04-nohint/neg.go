package main

func main() {}

// Neg returns -n.
func Neg(n int) int {
	return -n
}
