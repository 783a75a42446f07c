package lesson

import (
	"context"
	"os"
	"os/exec"
)

// Build compiles the server in dir (a lesson folder, or one staged with
// StageSolution) into the binary out, as a module of its own (GOWORK=off), as
// every lesson must build. On failure it returns go build's output with the
// error.
func Build(ctx context.Context, dir, out string) ([]byte, error) {
	return BuildPackage(ctx, dir, ".", out)
}

// BuildPackage is Build for the package pkg of the lesson in dir, such as
// lesson 05's ./cmd/compare.
func BuildPackage(ctx context.Context, dir, pkg, out string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	return cmd.CombinedOutput()
}
