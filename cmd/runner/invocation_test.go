package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInvocationNamesTheCommandAsRun: rerun hints say how the user ran
// the runner — "go run ./cmd/runner" when go run built it, the bare name
// of an installed binary found on PATH, and the path as typed otherwise.
func TestInvocationNamesTheCommandAsRun(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "orgconform-runner")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
	old := os.Args
	defer func() { os.Args = old }()

	t.Setenv("PATH", dir)
	os.Args = []string{bin}
	assert.Equal(t, "orgconform-runner", invocation(), "installed on PATH: its name")

	t.Setenv("PATH", t.TempDir())
	assert.Equal(t, bin, invocation(), "not on PATH: the path as typed")

	os.Args = []string{filepath.Join(os.TempDir(), "go-build1234", "b001", "exe", "runner")}
	assert.Equal(t, "go run ./cmd/runner", invocation())
}
