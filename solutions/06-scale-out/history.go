package main

// keep appends m to history and drops what is older than the last
// historySize, copying down so that the array does not grow.
func keep(history []message, m message) []message {
	history = append(history, m)
	if len(history) > historySize {
		history = history[:copy(history, history[len(history)-historySize:])]
	}
	return history
}
