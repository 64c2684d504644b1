package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/schemas"
)

func sample() *contract.Report {
	return &contract.Report{
		Target: "http://127.0.0.1:1", Seed: 7, Duration: 1500 * time.Millisecond, Requests: 12,
		Results: []contract.Result{
			{ID: "a/pass", Group: "a", Operation: "AcceptHandshake", Status: contract.Pass},
			{ID: "a/fail", Group: "a", Operation: "AcceptHandshake", Status: contract.Fail,
				Expected: "HandshakeAlreadyInStateException", Observed: "HandshakeNotFoundException <&>",
				Exchange: "POST / HTTP/1.1\nbody \x00 ]]>", Rerun: "go run ./cmd/runner --run '^a/fail$'"},
			{ID: "b/skip", Group: "b", Status: contract.Skip, Observed: "no clock"},
			{ID: "b/unsupported", Group: "b", Operation: "EnableAllFeatures", Status: contract.Unsupported, Observed: "HTML 500"},
		},
		Cleanup: []string{"a/fail: delete organization o-1: 500"},
	}
}

func TestJSONMatchesItsSchema(t *testing.T) {
	b, err := JSON(sample())
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(b))
	assert.Contains(t, string(b), `"summary": {`)
	assert.Contains(t, string(b), `"failed": 1`)
	empty, err := JSON(&contract.Report{})
	require.NoError(t, err)
	require.NoError(t, schemas.ValidateReport(empty), "a report without checks still matches (checks: [])")
}

func TestJUnitCountsAndEscapes(t *testing.T) {
	for _, allow := range []bool{false, true} {
		var buf bytes.Buffer
		require.NoError(t, WriteJUnit(&buf, sample(), Options{AllowUnsupported: allow}))
		var got struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Skipped  int `xml:"skipped,attr"`
			Suites   []struct {
				Name string `xml:"name,attr"`
			} `xml:"testsuite"`
		}
		require.NoError(t, xml.Unmarshal(buf.Bytes(), &got), buf.String())
		assert.Equal(t, 4, got.Tests)
		if allow {
			assert.Equal(t, 1, got.Failures)
			assert.Equal(t, 2, got.Skipped)
		} else {
			assert.Equal(t, 2, got.Failures)
			assert.Equal(t, 1, got.Skipped)
		}
		assert.Len(t, got.Suites, 2)
	}
}

func TestConsoleSummary(t *testing.T) {
	var buf bytes.Buffer
	WriteConsole(&buf, sample(), Options{})
	out := buf.String()
	assert.Contains(t, out, "--- FAIL: a/fail (AcceptHandshake)")
	assert.Contains(t, out, "--- UNSUPPORTED: b/unsupported")
	assert.Contains(t, out, "rerun: go run ./cmd/runner --run '^a/fail$'")
	assert.Contains(t, out, "cleanup failed 1 times")
	assert.NotContains(t, out, "\x00", "control characters from the target are not printed")
	assert.True(t, strings.HasSuffix(out, "1 passed, 1 failed, 2 skipped\n"), out)
	assert.False(t, Passed(sample(), Options{}))
	assert.False(t, Passed(sample(), Options{AllowUnsupported: true}), "a failed check fails even with unsupported allowed")
}
