package lesson

import (
	"context"
	"os"
	"os/exec"
	"runtime"
)

// Build compiles the server in dir (a lesson folder, or one staged with
// StageSolution) into the binary out (out.exe on Windows), as a module of
// its own (GOWORK=off), as every lesson must build. It returns the binary's
// path; on failure, go build's output with the error.
func Build(ctx context.Context, dir, out string) (string, []byte, error) {
	return BuildPackage(ctx, dir, ".", out)
}

// BuildPackage is Build for the package pkg of the lesson in dir, such as
// lesson 05's ./cmd/compare.
func BuildPackage(ctx context.Context, dir, pkg, out string) (string, []byte, error) {
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	output, err := cmd.CombinedOutput()
	return out, output, err
}
