package main

// Greet returns "hello, NAME".
func Greet(name string) string {
	// TODO: greet name.
	return ""
}

// Shout returns "HELLO, NAME!".
func Shout(name string) string {
	// TODO: shout at name.
	return ""
}
