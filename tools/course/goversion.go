package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// checkGo compares the installed Go with the `go` line of go.work, before
// anything else runs, so an old toolchain gets one plain sentence instead of
// a page of compiler errors.
func checkGo(root string) error {
	need, err := workGoVersion(filepath.Join(root, "go.work"))
	if err != nil {
		return err
	}
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return fmt.Errorf("cannot run `go env GOVERSION` (%v): is Go installed and on your PATH? Get Go %s or newer from https://go.dev/dl/", err, need)
	}
	return compareGo(strings.TrimSpace(string(out)), need)
}

// compareGo checks have (as `go env GOVERSION` prints it, "go1.26.1") against
// need (as go.work spells it, "1.26.0").
func compareGo(have, need string) error {
	if !version.IsValid(have) {
		return nil // a development build: trust it
	}
	if version.Compare(have, "go"+need) < 0 {
		return fmt.Errorf("this course needs Go %s or newer, and `go env GOVERSION` says %s: "+
			"install Go %s or newer from https://go.dev/dl/, then check with `go version`",
			need, have, need)
	}
	return nil
}

// workGoVersion reads the `go` line of a go.work file.
func workGoVersion(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "go "); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("%s has no `go` line", path)
}
