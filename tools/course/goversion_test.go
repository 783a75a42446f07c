package main

import (
	"path/filepath"
	"strings"
	"testing"

	"wscourse/tools/course/internal/coursetest"
)

func TestCompareGo(t *testing.T) {
	for _, c := range []struct {
		have, need string
		ok         bool
	}{
		{"go1.26.0", "1.26.0", true},
		{"go1.26.8", "1.26.0", true},
		{"go1.27rc1", "1.26.0", true},
		{"go1.25.3", "1.26.0", false},
		{"devel go1.27-abcdef", "1.26.0", true},
	} {
		err := compareGo(c.have, c.need)
		if (err == nil) != c.ok {
			t.Errorf("compareGo(%q, %q) = %v, want ok %v", c.have, c.need, err, c.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), "Go 1.26.0 or newer") || !strings.Contains(err.Error(), "https://go.dev/dl/")) {
			t.Errorf("compareGo error %q does not say which Go is needed and where to get it", err)
		}
	}
}

func TestWorkGoVersion(t *testing.T) {
	v, err := workGoVersion(filepath.Join(coursetest.Fixture(t), "go.work"))
	if err != nil || v != "1.26.0" {
		t.Errorf("workGoVersion = %q, %v; want 1.26.0", v, err)
	}
}
