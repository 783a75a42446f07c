package lesson

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// course writes a one-lesson course into a temporary folder.
func course(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.work":                      "go 1.26.0\n",
		"lessons/01-x/go.mod":          "module x\n\ngo 1.26.0\n",
		"lessons/01-x/a.go":            "package main\n\n// TODO: write A.\nfunc A() int { return 0 }\n",
		"lessons/01-x/b_test.go":       "package main\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) {}\nfunc Testing() {}\nfunc FuzzC(f *testing.F) {}\nfunc (s) TestD(t *testing.T) {}\n",
		"lessons/01-x/a_test.go":       "package main\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\nfunc Test(t *testing.T) {}\n",
		"lessons/notalesson/README.md": "",
		"solutions/01-x/a.go":          "package main\n\nfunc A() int { return 1 }\n",
		"solutions/01-x/notes.txt":     "not Go",
	}
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestFindAndFiles(t *testing.T) {
	root := course(t)
	found, err := FindRoot(filepath.Join(root, "lessons", "01-x"))
	if err != nil || found != root {
		t.Fatalf("FindRoot = %q, %v; want %q", found, err, root)
	}
	l, err := Find(root, 1)
	if err != nil || l.Name != "01-x" || l.Root != root {
		t.Fatalf("Find(1) = %+v, %v", l, err)
	}
	if _, err := Find(root, 2); err == nil {
		t.Error("Find(2) found a lesson that does not exist")
	}
	if files, err := l.StarterFiles(); err != nil || !slices.Equal(files, []string{"a.go"}) {
		t.Errorf("StarterFiles = %q, %v; want [a.go]", files, err)
	}
	funcs, err := l.TestFuncs()
	if want := []string{"TestA", "Test", "TestB", "FuzzC"}; err != nil || !slices.Equal(funcs, want) {
		t.Errorf("TestFuncs = %q, %v; want %q", funcs, err, want)
	}
	stage := filepath.Join(t.TempDir(), "stage")
	if err := l.StageSolution(stage); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(stage, "a.go")); string(data) != "package main\n\nfunc A() int { return 1 }\n" {
		t.Errorf("staged a.go = %q, want the solution's", data)
	}
}
