package main

// ANSI colours, used only when env.color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	clearPage  = "\x1b[H\x1b[2J"
	eraseLine  = "\r\x1b[K"
)

func (e *env) paint(code, s string) string {
	if !e.color {
		return s
	}
	return code + s + ansiReset
}

func (e *env) bold(s string) string   { return e.paint(ansiBold, s) }
func (e *env) red(s string) string    { return e.paint(ansiRed, s) }
func (e *env) green(s string) string  { return e.paint(ansiGreen, s) }
func (e *env) yellow(s string) string { return e.paint(ansiYellow, s) }
func (e *env) dim(s string) string    { return e.paint(ansiDim, s) }
