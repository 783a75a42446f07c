package check

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/internal/english"
	"wscourse/tools/internal/lesson"
)

// Lessons import no shared code, so some given files (the origin rule, the
// flags, the server and its shutdown, test helpers, the lesson Makefile) are
// copied into every lesson that needs them. The first line of each such file
// carries sharedTag, and verify checks that every lesson's copy is the same,
// so a fix made in one lesson reaches them all. A file shared by some
// lessons only, where others have a different file of the same name, names
// them after the tag: "course:shared(04-chat,06-scale-out)".
const sharedTag = "course:shared"

// sharedCopy is one lesson's copy of a shared file.
type sharedCopy struct {
	lesson string
	data   []byte
}

// sharedCheck is what verify found of the shared files.
type sharedCheck struct {
	held     string   // "Makefile (2 lessons), origin.go (2 lessons)"
	problems []string // one phrase per file whose copies differ
	details  []string // the first differing line of each copy that differs
}

// checkShared compares, for every file that carries the tag in any lesson,
// the copies of all lessons that have a file of that name (relative to the
// lesson folder), or of the lessons the tag names. A lesson may lack a
// shared file.
func checkShared(all []lesson.Lesson) (sharedCheck, error) {
	var c sharedCheck
	tagged := map[string][]string{} // the lessons named by the tag; nil for all
	for _, l := range all {
		err := filepath.WalkDir(l.Dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != l.Dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.Type().IsRegular() {
				return nil
			}
			if ok, lessons := sharedTagOf(path); ok {
				rel, _ := filepath.Rel(l.Dir, path)
				tagged[filepath.ToSlash(rel)] = lessons
			}
			return nil
		})
		if err != nil {
			return c, err
		}
	}
	var held []string
	for _, name := range slices.Sorted(maps.Keys(tagged)) {
		var copies []sharedCopy
		for _, l := range all {
			if group := tagged[name]; group != nil && !slices.Contains(group, l.Name) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(l.Dir, filepath.FromSlash(name)))
			if err == nil {
				copies = append(copies, sharedCopy{l.Name, data})
			}
		}
		held = append(held, fmt.Sprintf("%s (%s)", name, english.Count(len(copies), "lesson")))
		ref := commonest(copies)
		var differ []string
		for _, cp := range copies {
			if bytes.Equal(cp.data, ref.data) {
				continue
			}
			differ = append(differ, cp.lesson)
			n, want, got := firstDifference(ref.data, cp.data)
			c.details = append(c.details,
				fmt.Sprintf("%s: the copy in %s differs from the one in %s at line %d:", name, cp.lesson, ref.lesson, n),
				fmt.Sprintf("  lessons/%s/%s:%d: %s", ref.lesson, name, n, want),
				fmt.Sprintf("  lessons/%s/%s:%d: %s", cp.lesson, name, n, got))
		}
		if len(differ) > 0 {
			c.problems = append(c.problems, fmt.Sprintf("%s differs in %s from %s", name, strings.Join(differ, ", "), ref.lesson))
		}
	}
	c.held = strings.Join(held, ", ")
	if c.held == "" {
		c.held = "none (no lesson file carries " + sharedTag + " on its first line)"
	}
	return c, nil
}

// sharedTagOf reports whether the first line of the file carries the tag,
// and the lessons it names, if any.
func sharedTagOf(path string) (bool, []string) {
	f, err := os.Open(path)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	line, _ := bufio.NewReaderSize(f, 4096).ReadSlice('\n')
	_, after, ok := strings.Cut(string(line), sharedTag)
	if !ok {
		return false, nil
	}
	if names, ok := strings.CutPrefix(after, "("); ok {
		if names, _, ok = strings.Cut(names, ")"); ok {
			return true, strings.Split(names, ",")
		}
	}
	return true, nil
}

// commonest is the copy most lessons agree on; the earliest lesson's on a tie.
func commonest(copies []sharedCopy) sharedCopy {
	best, bestCount := copies[0], 0
	for _, cp := range copies {
		n := 0
		for _, o := range copies {
			if bytes.Equal(cp.data, o.data) {
				n++
			}
		}
		if n > bestCount {
			best, bestCount = cp, n
		}
	}
	return best
}

// firstDifference returns the number of the first line where a and b differ
// and that line of each ("(end of file)" past the end).
func firstDifference(a, b []byte) (int, string, string) {
	al, bl := strings.SplitAfter(string(a), "\n"), strings.SplitAfter(string(b), "\n")
	line := func(ls []string, i int) string {
		if i < len(ls) && ls[i] != "" {
			return strings.TrimRight(ls[i], "\r\n")
		}
		return "(end of file)"
	}
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	return i + 1, line(al, i), line(bl, i)
}
