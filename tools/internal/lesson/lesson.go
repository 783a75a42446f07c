// Package lesson finds the course's lessons and their solutions on disk.
//
// The runner, verify and the browser tests all see lessons through this package,
// so that there is one definition of what a lesson is, which files a student
// edits, and how a lesson is built with its reference solution.
package lesson

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
)

// Lesson is one folder under lessons/, such as lessons/01-handshake.
type Lesson struct {
	Num         int    // 1 for 01-handshake
	Name        string // "01-handshake"
	Root        string // the course root, as given to List
	Dir         string // absolute path of lessons/01-handshake
	SolutionDir string // absolute path of solutions/01-handshake
}

var dirName = regexp.MustCompile(`^(\d\d)-[a-z0-9-]+$`)

// FindRoot walks up from start to the folder that holds go.work and lessons/.
func FindRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		if isFile(filepath.Join(dir, "go.work")) && isDir(filepath.Join(dir, "lessons")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no course found above %s: run this from inside the course repository (the folder with go.work and lessons/)", start)
		}
		dir = parent
	}
}

// List returns the lessons under root/lessons, in lesson order.
func List(root string) ([]Lesson, error) {
	entries, err := os.ReadDir(filepath.Join(root, "lessons"))
	if err != nil {
		return nil, err
	}
	var out []Lesson
	for _, e := range entries {
		m := dirName.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		out = append(out, Lesson{
			Num:         n,
			Name:        e.Name(),
			Root:        root,
			Dir:         filepath.Join(root, "lessons", e.Name()),
			SolutionDir: filepath.Join(root, "solutions", e.Name()),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Num < out[j].Num })
	return out, nil
}

// Find returns lesson n.
func Find(root string, n int) (Lesson, error) {
	all, err := List(root)
	if err != nil {
		return Lesson{}, err
	}
	for _, l := range all {
		if l.Num == n {
			return l, nil
		}
	}
	return Lesson{}, fmt.Errorf("there is no lesson %d (lessons are %s)", n, numbers(all))
}

// StarterFiles returns the names (relative to the lesson folder) of the files a
// student edits: exactly the Go files present in the lesson's solution folder.
func (l Lesson) StarterFiles() ([]string, error) {
	entries, err := os.ReadDir(l.SolutionDir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("lesson %s has no solution folder %s", l.Name, l.SolutionDir)
		}
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && filepath.Ext(e.Name()) == ".go" {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("solution folder %s has no .go files", l.SolutionDir)
	}
	return names, nil
}

// StageSolution copies the lesson into dst (which must not exist or be empty)
// and lays the solution files over the starter files, giving a module that
// builds on its own with GOWORK=off.
func (l Lesson) StageSolution(dst string) error {
	files, err := l.StarterFiles()
	if err != nil {
		return err
	}
	if err := copyTree(l.Dir, dst); err != nil {
		return fmt.Errorf("copy %s: %w", l.Name, err)
	}
	for _, f := range files {
		if err := copyFile(filepath.Join(l.SolutionDir, f), filepath.Join(dst, f)); err != nil {
			return fmt.Errorf("lay solution over starter: %w", err)
		}
	}
	return nil
}

func numbers(all []Lesson) string {
	s := ""
	for i, l := range all {
		if i > 0 {
			s += ", "
		}
		s += strconv.Itoa(l.Num)
	}
	if s == "" {
		return "none"
	}
	return s
}

func isFile(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }
func isDir(p string) bool  { st, err := os.Stat(p); return err == nil && st.IsDir() }
