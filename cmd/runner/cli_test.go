package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/schemas"
)

// TestReportToStdout: --json - writes the report to stdout and moves the
// console to stderr, so the report can be piped.
func TestReportToStdout(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errOut := runRunner(t, "--run", "^protocol/request-id/success$", "--json", "-")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, schemas.ValidateReport([]byte(out)), "stdout is exactly the JSON report")
	assert.Contains(t, errOut, "1 check ran: 1 passed")
	_, err := os.Stat(filepath.Join(dir, "-"))
	assert.True(t, os.IsNotExist(err), "no file named - is written")

	code, out, errOut = runRunner(t, "--run", "^protocol/request-id/success$", "--markdown", "-", "--quiet")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "## orgconform: passed\n"), out)
}

// TestQuiet prints only the summary and failures.
func TestQuiet(t *testing.T) {
	code, out, _ := runRunner(t, "--run", "^protocol/request-id/", "--quiet")
	require.Equal(t, 0, code, out)
	assert.NotContains(t, out, "CHECK  ")
	assert.NotContains(t, out, "protocol        2 checks", "no progress lines")
	assert.Contains(t, out, "2 checks ran: 2 passed")
}

// TestHelpGoesToStdout: every command's --help lists its flags on stdout
// and exits 0.
func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"serve", "--help"}, {"fuzz", "--help"}, {"merge", "--help"}, {"diff", "--help"}} {
		code, out, errOut := runRunner(t, args...)
		assert.Equal(t, 0, code, "%v", args)
		assert.Empty(t, errOut, "%v", args)
		assert.Contains(t, out, "usage: runner", "%v", args)
		assert.Contains(t, out, "flags:", "%v", args)
	}
	_, out, _ := runRunner(t, "--help")
	for _, flag := range []string{"-endpoint", "-json", "-junit", "-markdown", "-quiet", "-parallel", "-shard"} {
		assert.Contains(t, out, flag)
	}
	for _, cmd := range []string{"runner serve", "runner faults", "runner diff", "runner fuzz", "runner merge", "runner sdk", "exit status:"} {
		assert.Contains(t, out, cmd, "the main help names every command and the exit status")
	}
	_, out, _ = runRunner(t, "fuzz", "--help")
	assert.Contains(t, out, "-shard")
	code, out, _ := runRunner(t, "help", "serve")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "usage: runner serve")
	code, _, errOut := runRunner(t, "help", "frob")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `help "frob": no such command`)
}

// TestRunCountsWhatRan: the JSON report and the summary line say how many
// checks ran.
func TestRunCountsWhatRan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	code, out, _ := runRunner(t, "--run", "^input/AcceptHandshake/(upper-case|no-prefix)$", "--json", path)
	require.Equal(t, 0, code, out)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var rep struct {
		Summary struct{ Ran, Passed int }
		Groups  []struct {
			Group    string
			Requests int
		}
		Checks []struct{ Requests int }
	}
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, 2, rep.Summary.Ran)
	assert.Contains(t, out, "2 checks ran: 2 passed")
	require.Len(t, rep.Groups, 1)
	assert.Equal(t, 2, rep.Groups[0].Requests, "one request per input check: no organization is made for them")
}
