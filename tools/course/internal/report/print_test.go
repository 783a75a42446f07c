package report

import (
	"testing"
)

func TestMentionAt(t *testing.T) {
	for _, c := range []struct {
		line, name string
		want       int
	}{
		{"see acceptKey in handshake.go", "handshake.go", 17},
		{"lessons/01-handshake/handshake.go:12: oops", "handshake.go", 21},
		{"handshake_test.go:18: got 1", "handshake.go", -1},
		{"echo_test.go:3 and then echo.go", "echo.go", 24},
		{"see myecho.go", "echo.go", -1},
	} {
		if got := mentionAt(c.line, c.name); got != c.want {
			t.Errorf("mentionAt(%q, %q) = %d, want %d", c.line, c.name, got, c.want)
		}
	}
}
