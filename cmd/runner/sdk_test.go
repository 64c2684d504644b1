package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/specs"
)

func TestSDKHelp(t *testing.T) {
	code, out, errOut := runRunner(t, "sdk", "--help")
	assert.Equal(t, 0, code)
	assert.Empty(t, errOut)
	assert.True(t, strings.HasPrefix(out, sdkUsage+"\n"), out)
	assert.Contains(t, out, specs.Must().SDK.OldestSupported.Version+" or newer (the oldest supported)")
	for _, flag := range []string{"-json", "-timeout", "-parallel", "-go"} {
		assert.Contains(t, out, "  "+flag+" ", "help lists %s", flag)
	}
}

// lastLine is the message a refused run ends with.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// Bad usage is refused before anything is downloaded, with one line.
func TestSDKBadUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "runner sdk: no SDK version given"},
		{[]string{"v1.2"}, `runner sdk: bad SDK version "v1.2": want vMAJOR.MINOR.PATCH`},
		{[]string{"latest"}, `runner sdk: bad SDK version "latest"`},
		{[]string{"v1.5.0"}, "runner sdk: SDK version v1.5.0 is older than the oldest supported, " + specs.Must().SDK.OldestSupported.Version},
		{[]string{"v1.62.8,v1.62.8"}, "runner sdk: SDK version v1.62.8 given twice"},
		{[]string{"--timeout", "0", "v1.62.8"}, "runner sdk: --timeout must be positive"},
		{[]string{"--parallel", "0", "v1.62.8"}, "runner sdk: --parallel must be positive"},
		{[]string{"--frobnicate", "v1.62.8"}, "runner sdk: flag provided but not defined: -frobnicate"},
		{[]string{"--go", "/nonexistent/go", "v1.62.8"}, "runner sdk: needs the go command (/nonexistent/go) on PATH"},
		{[]string{"v1.62.8", "--json", t.TempDir()}, "runner sdk: --json: "},
	} {
		code, out, errOut := runRunner(t, append([]string{"sdk"}, c.args...)...)
		assert.Equal(t, 2, code, "%v", c.args)
		assert.Empty(t, out, "%v", c.args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		assert.True(t, strings.HasPrefix(errOut, c.want), "%v: %q", c.args, errOut)
	}
}

// needProxy skips unless the go command can fetch an SDK version from the
// module proxy; under CI=true (which has the proxy) it fails instead.
func needProxy(t *testing.T, version string) {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("CI") == "true" {
		fail = t.Fatalf
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		fail("runner sdk needs the go command on PATH: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "mod", "download", "-json", "github.com/aws/aws-sdk-go-v2/service/organizations@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		fail("the Go module proxy is not reachable (go mod download organizations@%s: %v: %s)", version, err, strings.TrimSpace(string(out)))
	}
}

// runner sdk on two real versions: the one in go.mod and one from before
// schema-based serde. Both decode every golden as expected; the change of
// error matching between them is named; nothing is left in the temporary
// directory.
func TestSDKComparesRealVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two SDK versions")
	}
	needProxy(t, "v1.48.0")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	jsonPath := filepath.Join(t.TempDir(), "sdk.json")
	code, out, errOut := runRunner(t, "sdk", "v1.62.8,v1.48.0", "--json", jsonPath, "--timeout", "4m")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Regexp(t, `(?m)^  FIELD +EXPECTED +v1\.48\.0 +v1\.62\.8$`, out, "versions side by side, oldest first")
	assert.Regexp(t, `(?m)^  v1\.48\.0  core v1\.40\.0, smithy-go v1\.23\.2, 50 exceptions in the registry$`, out, "the matching core")
	assert.Regexp(t, `(?m)^  reason +"ALREADY_IN_AN_ORGANIZATION" +ok +ok$`, out)
	assert.Contains(t, out, "error matching changed between v1.48.0 and v1.62.8: case-insensitive → case-sensitive, per-operation → service-wide (recorded in specs/sdk.json from v1.57.0)")
	assert.Contains(t, out, "every exception classified")
	assert.Contains(t, out, ": no differences, 0 not modelled, 0 unclassified")
	assert.Contains(t, errOut, "sdk v1.48.0: done in ")

	var rep struct {
		Versions []struct{ Version, Core string }
		Matching []struct{ Version, Case, Scope string }
		Failures []string
	}
	data, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	require.Len(t, rep.Versions, 2)
	assert.Equal(t, "v1.48.0", rep.Versions[0].Version)
	assert.Equal(t, []struct{ Version, Case, Scope string }{
		{"v1.48.0", "insensitive", "per-operation"}, {"v1.62.8", "sensitive", "service-wide"},
	}, rep.Matching)
	assert.Empty(t, rep.Failures)

	left, err := filepath.Glob(filepath.Join(tmp, "orgconform-sdk-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "the throwaway modules are removed")
}

// A version the module proxy does not have is exit 2 with one line naming
// it (this needs no proxy: without one the download fails all the same).
func TestSDKVersionThatDoesNotExist(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	code, out, errOut := runRunner(t, "sdk", "--timeout", "90s", "v1.999.0")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	msg := lastLine(errOut)
	assert.True(t, strings.HasPrefix(msg, "runner sdk: v1.999.0: cannot download github.com/aws/aws-sdk-go-v2/service/organizations@v1.999.0 (needs the Go module proxy): "), msg)
	assert.Equal(t, 1, strings.Count(errOut, "runner sdk:"), "one error line: %q", errOut)
}

// A version that cannot be built within --timeout is exit 2, one line.
func TestSDKTimeout(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	code, out, errOut := runRunner(t, "sdk", "--timeout", "1ms", "v1.62.8")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Regexp(t, `^runner sdk: v1\.62\.8: .* did not finish within 1ms \(raise --timeout\)$`, lastLine(errOut))
}
