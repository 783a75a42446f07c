package main

func main() {}

// Version is given, so one test passes on the starter.
func Version() int { return 1 }
