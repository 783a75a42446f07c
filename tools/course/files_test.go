package main

import (
	"os"
	"testing"

	"wscourse/tools/internal/lesson"
)

func mustLesson(t *testing.T, root string, n int) lesson.Lesson {
	t.Helper()
	l, err := lesson.Find(root, n)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func removeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
