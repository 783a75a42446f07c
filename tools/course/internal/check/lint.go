package check

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"wscourse/tools/course/internal/git"
	"wscourse/tools/course/internal/term"
	"wscourse/tools/internal/lesson"
)

// lintTarget is one module to vet and staticcheck: a tools module, a lesson
// as its starter stands, or a lesson staged with its solution.
type lintTarget struct {
	label  string
	dir    string
	origin func(string) string // names files in output after their source
	// starter is the lesson whose starter this is, nil for other targets:
	// its stubs are unused until a student writes them, so staticcheck's
	// U1000 is off, and a finding may be in the user's own changes.
	starter *lesson.Lesson
}

// staticcheckArgs are the flags staticcheck runs with on the target.
func (t lintTarget) staticcheckArgs() []string {
	if t.starter != nil {
		return []string{"-checks", "inherit,-U1000", "./..."}
	}
	return []string{"./..."}
}

// Lint runs gofmt on the whole repository, then go vet and staticcheck on
// every module, printing one line per check and a summary.
func Lint(ctx context.Context, e *term.Env) bool {
	passed, failed := 0, 0
	report := func(name string, out []string, err error) {
		if err == nil && len(out) == 0 {
			passed++
			fmt.Fprintf(e.Stdout, "%s %s\n", e.Green("ok  "), name)
			return
		}
		failed++
		fmt.Fprintf(e.Stdout, "%s %s\n", e.Red("FAIL"), name)
		if err != nil && len(out) == 0 {
			out = []string{err.Error()}
		}
		for _, line := range out {
			fmt.Fprintf(e.Stdout, "      %s\n", line)
		}
	}

	out, err := gofmtFiles(ctx, e)
	report("gofmt", out, err)

	targets, cleanup, err := lintTargets(e)
	defer cleanup()
	if err != nil {
		report("stage the lessons", nil, err)
	}
	staticcheck, err := staticcheckPath(ctx, e.Root)
	if err != nil {
		report("build staticcheck", nil, err)
	}
	for _, t := range targets {
		out, err := goTool(ctx, t.dir, "go", "vet", "./...")
		report("go vet "+t.label, t.findings(ctx, term.Relabel(out, t.dir, t.origin)), err)
		if staticcheck != "" {
			out, err := goTool(ctx, t.dir, staticcheck, t.staticcheckArgs()...)
			report("staticcheck "+t.label, t.findings(ctx, term.Relabel(out, t.dir, t.origin)), err)
		}
		if ctx.Err() != nil {
			return false
		}
	}
	fmt.Fprintf(e.Stdout, "lint: %d passed, %d failed\n", passed, failed)
	return failed == 0
}

// gofmtFiles lists the Go files gofmt would change, skipping testdata (whose
// fixtures may be wrong on purpose) and hidden folders.
func gofmtFiles(ctx context.Context, e *term.Env) ([]string, error) {
	var files []string
	err := filepath.WalkDir(e.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != e.Root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil || len(files) == 0 {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "gofmt", append([]string{"-l"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var unformatted []string
	for _, f := range term.SplitLines(string(out)) {
		unformatted = append(unformatted, e.Rel(f)+": not gofmt-formatted (run gofmt -w "+e.Rel(f)+")")
	}
	if err != nil {
		unformatted = append(unformatted, term.SplitLines(stderr.String())...)
	}
	return unformatted, nil
}

// lintTargets lists the tools modules, each lesson in place and each lesson
// staged with its solution (in temporary folders that cleanup removes).
func lintTargets(e *term.Env) ([]lintTarget, func(), error) {
	var targets []lintTarget
	_ = filepath.WalkDir(filepath.Join(e.Root, "tools"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.Name() == "go.mod" {
			dir := filepath.Dir(path)
			rel := e.Rel(dir)
			targets = append(targets, lintTarget{label: rel, dir: dir, origin: func(f string) string { return rel + "/" + f }})
		}
		return nil
	})
	tmp, err := os.MkdirTemp("", "course-lint-")
	if err != nil {
		return targets, func() {}, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	all, err := lesson.List(e.Root)
	if err != nil {
		return targets, cleanup, err
	}
	for _, l := range all {
		v := &verdict{lesson: l}
		targets = append(targets, lintTarget{label: "lessons/" + l.Name + " (starter)", dir: l.Dir, origin: v.origin(false), starter: &l})
		stage := filepath.Join(tmp, l.Name)
		if err := l.StageSolution(stage); err != nil {
			return targets, cleanup, err
		}
		targets = append(targets, lintTarget{label: "lessons/" + l.Name + " (with solution)", dir: stage, origin: v.origin(true)})
	}
	return targets, cleanup, nil
}

// findings are a check's output lines, followed, on a starter whose files
// the user changed, by a note on the findings in those files.
func (t lintTarget) findings(ctx context.Context, lines []string) []string {
	if t.starter == nil || len(lines) == 0 {
		return lines
	}
	changed, err := git.ChangedStarters(ctx, *t.starter)
	if err != nil {
		return lines
	}
	return append(lines, ownChangesNote(lines, t.starter.Name, changed)...)
}

// ownChangesNote says which findings are in starter files that differ from
// the committed ones (changed, names in lessons/NAME): they are the user's
// own work, which lint does not check.
func ownChangesNote(lines []string, name string, changed []string) []string {
	var mine []string
	for _, f := range changed {
		prefix := "lessons/" + name + "/" + f + ":"
		if slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) }) {
			mine = append(mine, f)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("note: these findings are in your own changes to %s (not the committed starter); "+
		"`make lint` checks the course as committed: run it in a fresh clone", strings.Join(mine, ", "))}
}

// staticcheckPath returns the staticcheck that tools/go.mod pins with its
// tool directive: `go tool -n` builds it into the cache if need be and names
// the binary, which then runs in each module (lessons are not in tools).
func staticcheckPath(ctx context.Context, root string) (string, error) {
	tools := filepath.Join(root, "tools")
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "staticcheck")
	cmd.Dir = tools
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if path := strings.TrimSpace(string(out)); err == nil && isFile(path) {
		return path, nil
	}
	// Should go tool -n name no binary, build one from the same pinned module.
	bin := filepath.Join(os.TempDir(), "course-staticcheck")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "honnef.co/go/tools/cmd/staticcheck")
	build.Dir = tools
	build.Env = cmd.Env
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build staticcheck: %v\n%s", err, out)
	}
	return bin, nil
}

// goTool runs a checker in dir outside the workspace and returns its output.
func goTool(ctx context.Context, dir, name string, args ...string) ([]string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	var lines []string
	for _, l := range term.SplitLines(string(out)) {
		// Skip the package header vet prints, and the progress lines of a
		// first run on a fresh machine, which say nothing about the code.
		if !strings.HasPrefix(l, "# ") && !strings.HasPrefix(l, "go: downloading ") {
			lines = append(lines, l)
		}
	}
	return lines, err
}
