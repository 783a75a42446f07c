package gotest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
