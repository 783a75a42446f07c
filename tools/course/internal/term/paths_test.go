package term

import (
	"strings"
	"testing"
)

func TestBuildErrorPaths(t *testing.T) {
	e := &Env{Cwd: "/course"}
	got := e.BuildErrors("/course/lessons/01-x", []string{
		"./frame.go:3:4: undefined: x",
		"frame_test.go:5:1: syntax error",
		"/course/lessons/01-x/conn.go:9:2: declared and not used: y",
		"note: module requires Go 1.26",
	})
	want := []string{
		"lessons/01-x/frame.go:3:4: undefined: x",
		"lessons/01-x/frame_test.go:5:1: syntax error",
		"lessons/01-x/conn.go:9:2: declared and not used: y",
		"note: module requires Go 1.26",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("BuildErrors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
