package term

// ANSI colours, used only when Env.Color is set. ClearPage and EraseLine
// move the cursor: watch clears the page, the status line erases itself.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"

	ClearPage = "\x1b[H\x1b[2J"
	EraseLine = "\r\x1b[K"
)

func (e *Env) paint(code, s string) string {
	if !e.Color {
		return s
	}
	return code + s + ansiReset
}

func (e *Env) Bold(s string) string   { return e.paint(ansiBold, s) }
func (e *Env) Red(s string) string    { return e.paint(ansiRed, s) }
func (e *Env) Green(s string) string  { return e.paint(ansiGreen, s) }
func (e *Env) Yellow(s string) string { return e.paint(ansiYellow, s) }
func (e *Env) Dim(s string) string    { return e.paint(ansiDim, s) }
