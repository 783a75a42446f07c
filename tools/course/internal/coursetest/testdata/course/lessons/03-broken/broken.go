package main

func main() {}

// Half returns n / 2.
func Half(n int) int {
	// TODO: halve n.
	return undefinedName
}
