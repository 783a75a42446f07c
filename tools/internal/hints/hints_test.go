package hints

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := "# Hints: 01-x\n\nIntro text.\n\n## TestB\n\nFirst paragraph.\n\nSecond.\n\n" +
		"## TestA\n```\n## not a heading\n```\n\n## TestB\nagain\n"
	hs, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Hint{
		{"TestB", "First paragraph.\n\nSecond."},
		{"TestA", "```\n## not a heading\n```"},
		{"TestB", "again"},
	}
	if len(hs) != len(want) {
		t.Fatalf("Parse gave %d sections %q, want %d", len(hs), hs, len(want))
	}
	for i := range want {
		if hs[i] != want[i] {
			t.Errorf("section %d = %q, want %q", i, hs[i], want[i])
		}
	}
	if h, ok := Find(hs, "TestA"); !ok || h.Test != "TestA" {
		t.Errorf("Find(TestA) = %v, %v", h, ok)
	}
	if _, ok := Find(hs, "TestC"); ok {
		t.Error("Find(TestC) found a section that does not exist")
	}
}

func TestParseEmpty(t *testing.T) {
	hs, err := Parse(strings.NewReader("# Hints\n\nnothing yet\n"))
	if err != nil || len(hs) != 0 {
		t.Errorf("Parse = %q, %v; want no sections", hs, err)
	}
}
