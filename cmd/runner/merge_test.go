package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/report"
)

// TestShardsMergeToOneRun: two shards of a run, merged, give the same
// verdict per check as the unsharded run.
func TestShardsMergeToOneRun(t *testing.T) {
	dir := t.TempDir()
	sel := "^(input/AcceptHandshake/|accept/success/(response|schema)$|protocol/|errors/AcceptHandshake/)"
	whole, s1, s2, merged := filepath.Join(dir, "whole.json"), filepath.Join(dir, "s1.json"), filepath.Join(dir, "s2.json"), filepath.Join(dir, "merged.json")
	for _, run := range []struct {
		path  string
		extra []string
	}{{whole, nil}, {s1, []string{"--shard", "1/2"}}, {s2, []string{"--shard", "2/2"}}} {
		code, out, errOut := runRunner(t, append([]string{"--run", sel, "--json", run.path, "--quiet"}, run.extra...)...)
		require.Equal(t, 0, code, out+errOut)
	}
	code, out, errOut := runRunner(t, "merge", "--json", merged, s1, s2)
	require.Equal(t, 0, code, out+errOut)
	assert.Contains(t, out, "orgconform: merged 2 reports")

	read := func(path string) map[string]string {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		rep, err := report.ReadJSON(data)
		require.NoError(t, err)
		out := map[string]string{}
		for _, r := range rep.Results {
			out[r.ID] = string(r.Status)
		}
		return out
	}
	w, m := read(whole), read(merged)
	assert.Equal(t, w, m, "the merged shards give every check the unsharded verdict")
	assert.Greater(t, len(w), 25)
	a, b := read(s1), read(s2)
	assert.Less(t, len(a), len(w))
	assert.Less(t, len(b), len(w))

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"not":"a report"}`), 0o644))
	code, _, errOut = runRunner(t, "merge", s1, bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "bad.json: not an orgconform JSON report")
	code, _, errOut = runRunner(t, "merge")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "give the JSON reports")
}
