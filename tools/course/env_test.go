package main

import (
	"os"
	"path/filepath"
	"testing"

	"wscourse/tools/course/internal/term"
)

func TestUserDir(t *testing.T) {
	if got := userDir(""); got != "" {
		t.Errorf(`userDir("") = %q, want "" (the working directory)`, got)
	}
	wd, _ := os.Getwd()
	lessonDir := filepath.Join(wd, "lessons", "01-x")
	if got := userDir(lessonDir); got != lessonDir {
		t.Errorf("userDir(%q) = %q, want it unchanged", lessonDir, got)
	}
	if got := userDir(filepath.Join("lessons", "01-x")); got != lessonDir {
		t.Errorf("userDir(relative) = %q, want %q", got, lessonDir)
	}
	e := &term.Env{Cwd: userDir(lessonDir)}
	if got := e.Rel(filepath.Join(lessonDir, "frame.go")); got != "frame.go" {
		t.Errorf("rel from the lesson folder = %q, want frame.go", got)
	}
}
