package proxy

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// printer writes the trace, one line per event, with columns aligned: the
// connection, the time since it opened, the direction, what happened.
type printer struct {
	mu sync.Mutex
	w  io.Writer
}

// prefix is the connection and time columns.
func prefix(id int64, since time.Duration) string {
	return fmt.Sprintf("%-4s %8s  ", fmt.Sprintf("#%d", id), fmt.Sprintf("+%.3fs", since.Seconds()))
}

// line prints one event of connection id; dir is empty for events that
// have no direction. Each of details goes on a line of its own below it,
// indented under the text.
func (p *printer) line(id int64, since time.Duration, dir, text string, details ...string) {
	var b strings.Builder
	pre := prefix(id, since)
	if dir != "" {
		dir = fmt.Sprintf("%-13s  ", dir)
	}
	b.WriteString(pre + dir + text + "\n")
	indent := strings.Repeat(" ", len([]rune(pre+dir))+2)
	for _, d := range details {
		b.WriteString(indent + d + "\n")
	}
	p.write(b.String())
}

// global prints an event of the whole proxy, such as a fault turned on.
func (p *printer) global(text string) {
	p.write("proxy  " + text + "\n")
}

func (p *printer) write(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.w, s)
}
