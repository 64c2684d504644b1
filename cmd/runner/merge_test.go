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
	sel := "^(input/AcceptHandshake/|accept/success/(response|schema)$|protocol/|errors/AcceptHandshake/|property/input/DescribeHandshake$)"
	whole, s1, s2, merged := filepath.Join(dir, "whole.json"), filepath.Join(dir, "s1.json"), filepath.Join(dir, "s2.json"), filepath.Join(dir, "merged.json")
	for _, run := range []struct {
		path  string
		extra []string
	}{{whole, nil}, {s1, []string{"--shard", "1/2"}}, {s2, []string{"--shard", "2/2"}}} {
		code, out, errOut := runRunner(t, append([]string{"--run", sel, "--json", run.path, "--quiet", "--seed", "7"}, run.extra...)...)
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

	examples := func(path string) int {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		rep, err := report.ReadJSON(data)
		require.NoError(t, err)
		for _, r := range rep.Results {
			if r.ID == "property/input/DescribeHandshake" {
				return r.Examples
			}
		}
		return -1
	}
	assert.Equal(t, 4, examples(s1), "a shard tries its half of the property's 8 examples")
	assert.Equal(t, 4, examples(s2))
	assert.Equal(t, 8, examples(merged), "the merged report counts every shard's examples")

	// A merge of what is not every shard of one run is refused.
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{s1}, "shard 2/2 missing"},
		{[]string{s1, s1}, "shard 1/2 is given twice"},
		{[]string{whole, s2}, "not a shard"},
		{[]string{s1, "--quiet"}, "flags go before them"},
	} {
		code, _, errOut := runRunner(t, append([]string{"merge"}, c.args...)...)
		assert.Equal(t, 2, code, c.args)
		assert.Contains(t, errOut, c.msg, c.args)
	}

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"not":"a report"}`), 0o644))
	code, _, errOut = runRunner(t, "merge", s1, bad)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "bad.json: not an orgconform JSON report: (body): required")
	code, _, errOut = runRunner(t, "merge")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "give the JSON reports")
}
