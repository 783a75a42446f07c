package main

import (
	"strings"
	"testing"

	"wscourse/tools/internal/gotest"
)

// A test binary that times out mid-test: the test has no end event, the
// tests after it never start.
func TestReportTimeout(t *testing.T) {
	t.Parallel()
	root := fixture(t)
	l := mustLesson(t, root, 1)
	stream := `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestFirst"}
{"Action":"output","Package":"p","Test":"TestFirst","Output":"=== RUN   TestFirst\n"}
{"Action":"pass","Package":"p","Test":"TestFirst"}
{"Action":"run","Package":"p","Test":"TestThird"}
{"Action":"output","Package":"p","Test":"TestThird","Output":"=== RUN   TestThird\n"}
{"Action":"output","Package":"p","Test":"TestThird","Output":"panic: test timed out after 2m0s\n"}
{"Action":"output","Package":"p","Test":"TestThird","Output":"\trunning tests:\n"}
{"Action":"output","Package":"p","Test":"TestThird","Output":"\t\tTestThird (2m0s)\n"}
{"Action":"output","Package":"p","Test":"TestThird","Output":"\n"}
{"Action":"output","Package":"p","Test":"TestThird","Output":"goroutine 5 [IO wait]:\n"}
{"Action":"output","Package":"p","Test":"TestThird","Output":"fixture.readAll(...)\n"}
{"Action":"output","Package":"p","Test":"TestThird","Output":"\t` + l.Dir + `/greet.go:12 +0x1f\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t120.003s\n"}
{"Action":"fail","Package":"p"}
`
	res, err := gotest.Parse(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	r, err := newReport(l, res)
	if err != nil {
		t.Fatal(err)
	}
	te := newTestEnv(root)
	te.printReport(r)
	assertInOrder(t, te.out.String(),
		"passed   TestFirst\n", "failed   TestThird\n", "not run  TestSecond\n",
		"TestThird did not finish within the 2m0s limit",
		"panic: test timed out after 2m0s", "goroutine 5 [IO wait]:", "fixture.readAll(...)", "lessons/01-good/greet.go:12",
		"Hint:", "upper case",
		"lesson 1: 1 passed, 1 failed, 1 not run\n")
	if r.done() {
		t.Error("done() = true for a run that timed out")
	}
}
