package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGofmtFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, dir := range []string{"a", "a/testdata", ".hidden"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ugly := "package a\nfunc  F( ) {}\n"
	writeFile(t, filepath.Join(root, "a", "ok.go"), "package a\n\nfunc F() {}\n")
	writeFile(t, filepath.Join(root, "a", "ugly.go"), ugly)
	writeFile(t, filepath.Join(root, "a", "testdata", "ugly.go"), ugly) // fixtures may be wrong on purpose
	writeFile(t, filepath.Join(root, ".hidden", "ugly.go"), ugly)
	te := newTestEnv(root)
	got, err := gofmtFiles(t.Context(), te.env)
	if err != nil {
		t.Fatal(err)
	}
	want := "a/ugly.go: not gofmt-formatted (run gofmt -w a/ugly.go)"
	if len(got) != 1 || got[0] != want {
		t.Errorf("gofmtFiles = %q, want [%q]", got, want)
	}
}
