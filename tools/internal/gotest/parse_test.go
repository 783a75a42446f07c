package gotest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The files in testdata are real `go test -json` streams of small modules.
func parseFile(t *testing.T, name string) *Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return res
}

func statuses(res *Result) string {
	var b strings.Builder
	for _, t := range res.Tests {
		b.WriteString(t.Name + "=" + t.Status.String() + " ")
	}
	return strings.TrimSpace(b.String())
}

func TestParsePassFailSkipAndSubtests(t *testing.T) {
	res := parseFile(t, "ok.json")
	if got, want := statuses(res), "TestA=passed TestB=failed TestC=skipped"; got != want {
		t.Errorf("statuses = %q, want %q", got, want)
	}
	if !res.Failed || res.BuildFailed {
		t.Errorf("Failed, BuildFailed = %v, %v; want true, false", res.Failed, res.BuildFailed)
	}
	got := strings.Join(res.Test("TestB").Output, "\n")
	want := "sub_one:\n  a_test.go:7: got 1, want 2\na_test.go:9: top log"
	if got != want {
		t.Errorf("TestB output =\n%s\nwant\n%s", got, want)
	}
	if len(res.PackageOutput) != 0 {
		t.Errorf("PackageOutput = %q, want none (summary lines dropped)", res.PackageOutput)
	}
}

func TestParseBuildFailure(t *testing.T) {
	res := parseFile(t, "broken.json")
	if !res.BuildFailed || !res.Failed {
		t.Errorf("BuildFailed, Failed = %v, %v; want true, true", res.BuildFailed, res.Failed)
	}
	if want := []string{"./main.go:3:15: declared and not used: x"}; strings.Join(res.BuildOutput, "|") != strings.Join(want, "|") {
		t.Errorf("BuildOutput = %q, want %q", res.BuildOutput, want)
	}
	if len(res.Tests) != 0 {
		t.Errorf("Tests = %d, want none", len(res.Tests))
	}
}

func TestParsePanic(t *testing.T) {
	res := parseFile(t, "panic.json")
	if got, want := statuses(res), "TestA=passed TestP=failed"; got != want {
		t.Errorf("statuses = %q, want %q (TestZ never started)", got, want)
	}
	out := res.Test("TestP").Output
	if len(out) == 0 || !strings.HasPrefix(out[0], "panic: assignment to entry in nil map") {
		t.Errorf("TestP output starts %q, want the panic line", out)
	}
}

func TestParseTimeout(t *testing.T) {
	res := parseFile(t, "timeout.json")
	if got, want := statuses(res), "TestA=passed TestHang=failed"; got != want {
		t.Errorf("statuses = %q, want %q", got, want)
	}
	hang := res.Test("TestHang")
	if !hang.Unfinished {
		t.Error("TestHang.Unfinished = false, want true: it had no end event")
	}
	if len(hang.Output) < 2 || hang.Output[0] != "inner:" || !strings.Contains(hang.Output[1], "test timed out after 2s") {
		t.Errorf("TestHang output starts %q, want the subtest heading then the timeout", hang.Output[:min(2, len(hang.Output))])
	}
}

func TestParseCutShort(t *testing.T) {
	in := `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
not json at all
`
	res, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Test("TestA"); a == nil || a.Status != Failed || !a.Unfinished || !res.Failed {
		t.Errorf("TestA = %+v, Failed = %v; want an unfinished failure", a, res.Failed)
	}
	if len(res.PackageOutput) != 1 || res.PackageOutput[0] != "not json at all" {
		t.Errorf("PackageOutput = %q, want the line that was not JSON", res.PackageOutput)
	}
}

func TestParseVetFailure(t *testing.T) {
	res := parseFile(t, "vet.json")
	if !res.BuildFailed || !res.VetFailed {
		t.Errorf("BuildFailed, VetFailed = %v, %v; want true, true", res.BuildFailed, res.VetFailed)
	}
	if len(res.BuildOutput) != 1 || !strings.Contains(res.BuildOutput[0], "fmt.Printf format %d has arg") {
		t.Errorf("BuildOutput = %q, want vet's finding alone", res.BuildOutput)
	}
}

// A test's time is the binary's, from go test's start event to the test's
// end, so that the build before it (slow on a loaded machine) is not in it.
func TestParseTimes(t *testing.T) {
	res := parseFile(t, "timeout.json")
	// 02:25:48.504014127 start, 48.506280059 TestA passed, 50.511970402 the
	// package failed with TestHang still running.
	if got, want := res.Test("TestA").Ended, 2266*time.Microsecond; got.Round(time.Microsecond) != want {
		t.Errorf("TestA.Ended = %v, want %v", got, want)
	}
	if got, want := res.Test("TestHang").Started, 2270168*time.Nanosecond; got != want {
		t.Errorf("TestHang.Started = %v, want %v: its run event", got, want)
	}
	if got, want := res.Test("TestHang").Ended, 2007956275*time.Nanosecond; got != want {
		t.Errorf("TestHang.Ended = %v, want %v: an unfinished test ends with its binary", got, want)
	}
	if got, want := res.Ran, 2007956275*time.Nanosecond; got != want {
		t.Errorf("Ran = %v, want %v", got, want)
	}
	if res.Cached {
		t.Error("Cached = true for a run that was not")
	}
	b := parseFile(t, "ok.json").Test("TestB")
	if got, want := b.Ended, 4523538*time.Nanosecond; got != want {
		t.Errorf("TestB.Ended = %v, want %v: its own end, not its subtest's", got, want)
	}

	// A stream cut short ends its running tests at its last event; one
	// without times has none to give.
	in := `{"Time":"2026-11-22T02:25:48Z","Action":"start","Package":"p"}
{"Time":"2026-11-22T02:25:48.5Z","Action":"run","Package":"p","Test":"TestA"}
{"Time":"2026-11-22T02:25:51Z","Action":"output","Package":"p","Test":"TestA","Output":"still going\n"}
`
	res, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Test("TestA"); a.Ended != 3*time.Second || res.Ran != 3*time.Second {
		t.Errorf("cut short: TestA.Ended, Ran = %v, %v; want 3s, 3s", a.Ended, res.Ran)
	}
	res, err = Parse(strings.NewReader(`{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"fail","Package":"p","Test":"TestA"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Test("TestA"); a.Ended != 0 || res.Ran != 0 {
		t.Errorf("no times: TestA.Ended, Ran = %v, %v; want 0, 0", a.Ended, res.Ran)
	}
}

// go test's summary line says when it reused a cached result.
func TestParseCached(t *testing.T) {
	in := `{"Time":"2026-11-22T02:25:48Z","Action":"start","Package":"p"}
{"Time":"2026-11-22T02:25:48Z","Action":"run","Package":"p","Test":"TestA"}
{"Time":"2026-11-22T02:25:48Z","Action":"pass","Package":"p","Test":"TestA","Elapsed":0}
{"Time":"2026-11-22T02:25:48Z","Action":"output","Package":"p","Output":"PASS\n"}
{"Time":"2026-11-22T02:25:48Z","Action":"output","Package":"p","Output":"ok  \tp\t(cached)\n"}
{"Time":"2026-11-22T02:25:48Z","Action":"pass","Package":"p","Elapsed":0}
`
	res, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Cached || len(res.PackageOutput) != 0 {
		t.Errorf("Cached, PackageOutput = %v, %q; want true and no lines", res.Cached, res.PackageOutput)
	}
	if parseFile(t, "ok.json").Cached {
		t.Error("ok.json: Cached = true for a run that was not")
	}
}
