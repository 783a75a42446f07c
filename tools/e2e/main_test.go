package e2e

import (
	"fmt"
	"os"
	"testing"
)

// workDir holds the staged lessons, their binaries and the browser profile of
// one run of the test binary.
var workDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wscourse-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	closeBrowser() // before removing its profile
	os.RemoveAll(dir)
	os.Exit(code)
}
