package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/internal/lesson"
)

// git runs git in the course root and returns its standard output; an error
// carries what git said.
func git(ctx context.Context, root string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%s", firstLine(msg))
		}
		return nil, err
	}
	return out, nil
}

// gitShow returns the file at path (relative to root) as ref has it.
func gitShow(ctx context.Context, root, ref, path string) ([]byte, error) {
	return git(ctx, root, "show", ref+":./"+filepath.ToSlash(path))
}

// treeDiff is how the files under some paths differ from a commit.
type treeDiff struct {
	changed   []string // at the commit, and changed or deleted since
	deleted   []string // those of changed that are gone
	added     []string // not at the commit, but known to git (staged)
	untracked []string // unknown to git, and not ignored
}

// gitDiff compares the working tree under paths (relative to root) with ref.
// Paths in the result are relative to root, with forward slashes.
func gitDiff(ctx context.Context, root, ref string, paths ...string) (treeDiff, error) {
	var d treeDiff
	args := append([]string{"diff", "--relative", "--no-renames", "--name-status", "-z", ref, "--"}, paths...)
	out, err := git(ctx, root, args...)
	if err != nil {
		return d, err
	}
	fields := nulSplit(out)
	for i := 0; i+1 < len(fields); i += 2 {
		switch fields[i] {
		case "A":
			d.added = append(d.added, fields[i+1])
		case "D":
			d.deleted = append(d.deleted, fields[i+1])
			fallthrough
		default:
			d.changed = append(d.changed, fields[i+1])
		}
	}
	args = append([]string{"ls-files", "--others", "--exclude-standard", "-z", "--"}, paths...)
	if out, err = git(ctx, root, args...); err != nil {
		return d, err
	}
	d.untracked = nulSplit(out)
	return d, nil
}

// nulSplit splits git's -z output.
func nulSplit(out []byte) []string {
	s := strings.TrimSuffix(string(out), "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// changedStarters returns the starter files of l (names in its folder) that
// differ from the commit HEAD, or an error when git cannot tell (no git, or
// no repository).
func changedStarters(ctx context.Context, l lesson.Lesson) ([]string, error) {
	dir, paths, err := starterRepoPaths(l)
	if err != nil {
		return nil, err
	}
	d, err := gitDiff(ctx, l.Root, "HEAD", paths...)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, p := range slices.Concat(d.changed, d.added, d.untracked) {
		changed = append(changed, strings.TrimPrefix(p, dir+"/"))
	}
	slices.Sort(changed)
	return changed, nil
}

// starterRepoPaths returns the lesson's folder and its starter files as
// paths in the repository, as git names them.
func starterRepoPaths(l lesson.Lesson) (dir string, starters []string, err error) {
	files, err := l.StarterFiles()
	if err != nil {
		return "", nil, err
	}
	dir = filepath.ToSlash(filepath.Join("lessons", l.Name))
	for _, f := range files {
		starters = append(starters, dir+"/"+f)
	}
	return dir, starters, nil
}
