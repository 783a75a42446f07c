package main

import "strings"

// Greet returns "hello, NAME".
func Greet(name string) string {
	return "hello, " + name
}

// Shout returns "HELLO, NAME!".
func Shout(name string) string {
	return strings.ToUpper(Greet(name)) + "!"
}
