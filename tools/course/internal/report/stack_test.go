package report

import (
	"testing"
)

func TestShortFunc(t *testing.T) {
	for in, want := range map[string]string{
		"wscourse/lessons/01-x.(*conn).readFrame(0xc000010000, {0x1, 0x2})":    "(*conn).readFrame",
		"wscourse/lessons/01-x.parse(...)":                                     "parse",
		"main.echo.func1()":                                                    "echo.func1",
		"created by wscourse/lessons/01-x.(*hub).run in goroutine 7":           "created by (*hub).run",
		"wscourse/lessons/02-echo.serveGorilla({0xa05bd8, 0xc0001a2000}, 0x1)": "serveGorilla",
	} {
		if got := shortFunc(in); got != want {
			t.Errorf("shortFunc(%q) = %q, want %q", in, got, want)
		}
	}
}
