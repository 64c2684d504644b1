package sdkcheck_test

import (
	"context"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/internal/sdkmodel"
	"github.com/orgconform/orgconform/schemas"
	"github.com/orgconform/orgconform/sdkcheck"
	"github.com/orgconform/orgconform/specs"
)

var (
	goModOnce   sync.Once
	goModResult sdkcheck.VersionResult
	goModErr    error
)

// goModSDK replays every case through the SDK in go.mod, in process.
func goModSDK(t *testing.T) ([]sdkcheck.Case, sdkcheck.VersionResult) {
	t.Helper()
	cases := allCases(t)
	goModOnce.Do(func() {
		model, version, err := sdkmodel.InModule(context.Background(), ".")
		if err != nil {
			goModErr = err
			return
		}
		goModResult = sdkcheck.InProcess(context.Background(), version, model.Names(), cases)
	})
	require.NoError(t, goModErr)
	return cases, goModResult
}

func allCases(t *testing.T) []sdkcheck.Case {
	t.Helper()
	cases, err := sdkcheck.Cases(golden.FS(), specs.Must())
	require.NoError(t, err)
	return cases
}

// The SDK in go.mod decodes every golden, in every wire form, as its
// expectations.json says; a version older than an expectation's "since"
// skips it with the reason.
func TestGoldensDecodeThroughTheSDKInGoMod(t *testing.T) {
	cases, res := goModSDK(t)
	rep := sdkcheck.Compare(specs.Must(), cases, []sdkcheck.VersionResult{res})
	for _, tab := range rep.Tables {
		t.Run(tab.Golden, func(t *testing.T) {
			var skips []string
			for _, row := range tab.Rows {
				for _, c := range row.Cells {
					switch c.Status {
					case sdkcheck.StatusDiff:
						t.Errorf("%s [%s] %s: expected %q, %s decodes %q", tab.Golden, row.Form, row.Field, row.Expected, c.Version, c.Decoded)
					case sdkcheck.StatusNotModelled:
						skips = append(skips, row.Field+": not modelled in "+c.Version+": holds from "+c.Since)
					}
				}
			}
			if len(skips) > 0 && !t.Failed() {
				t.Skip(strings.Join(skips, "; "))
			}
		})
	}
	for _, f := range rep.Failures {
		if strings.HasPrefix(f, "error matching") || strings.HasPrefix(f, "unclassified") {
			t.Error(f)
		}
	}
	require.Len(t, rep.Matching, 1)
	assert.NotEqual(t, "unknown", rep.Matching[0].Case)
	assert.NotEqual(t, "unknown", rep.Matching[0].Scope)
}

// Every response golden is replayed (as recorded, and error goldens in
// every wire form), whatever operations golden/ holds.
func TestCasesCoverEveryGolden(t *testing.T) {
	cases := allCases(t)
	paths, err := golden.List()
	require.NoError(t, err)
	forms := map[string]int{}
	asRecorded := map[string]bool{}
	probes := map[string]int{}
	for _, c := range cases {
		switch {
		case c.Probe != "":
			probes[c.Probe]++
		case c.Form != "":
			forms[c.Golden]++
		default:
			asRecorded[c.Golden] = true
		}
	}
	n := 0
	for _, p := range paths {
		if strings.HasSuffix(p, ".request.http") {
			continue
		}
		n++
		assert.True(t, asRecorded[p], "%s is replayed as recorded", p)
		if strings.Contains(p, "/errors/") {
			assert.Equal(t, len(sdkcheck.FormNames()), forms[p], "%s is replayed in every wire form", p)
		}
	}
	assert.GreaterOrEqual(t, n, 14, "AcceptHandshake alone has 14 response goldens")
	assert.Positive(t, probes[sdkcheck.ProbeCase])
	assert.Positive(t, probes[sdkcheck.ProbeScope])
}

// Every wire form of an error body still matches the exception's schema
// (forms that name the type in X-Amzn-ErrorType are left out: their body
// has no __type, or another one, which the header overrides).
func TestErrorFormsMatchTheirSchemas(t *testing.T) {
	for _, c := range allCases(t) {
		if c.Want == nil || c.Want.Error == nil || http.Header(c.Response.Header).Get("X-Amzn-ErrorType") != "" || strings.Contains(c.Want.Error.Type, ".") {
			continue
		}
		assert.NoError(t, schemas.ValidateError(c.Want.Error.Code, []byte(c.Response.Body)), c.ID)
	}
}

// The SDK's request for each sample response is valid against the
// operation's request schema.
func TestSDKRequestsMatchTheirSchemas(t *testing.T) {
	cases, res := goModSDK(t)
	sent := map[string]string{}
	for _, o := range res.Outcomes {
		if o.Request != nil {
			sent[o.ID] = o.Request.Body
		}
	}
	checked := 0
	for _, c := range cases {
		if c.Want == nil || c.Want.Request == nil {
			continue
		}
		require.Contains(t, sent, c.ID)
		assert.NoError(t, schemas.ValidateRequest(c.Operation, []byte(sent[c.ID])), c.ID)
		checked++
	}
	assert.Positive(t, checked)
}

// Package replay is copied into throwaway modules built against other SDK
// versions: it may import only the SDK, smithy-go and the standard library.
func TestReplayImportsOnlyTheSDK(t *testing.T) {
	allowed := map[string]bool{
		"github.com/aws/aws-sdk-go-v2/aws":                   true,
		"github.com/aws/aws-sdk-go-v2/service/organizations": true,
		"github.com/aws/smithy-go":                           true,
	}
	entries, err := os.ReadDir("replay")
	require.NoError(t, err)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		assert.False(t, strings.HasSuffix(e.Name(), "_test.go"), "replay has no tests of its own: only replay.go is copied")
		f, err := parser.ParseFile(token.NewFileSet(), "replay/"+e.Name(), nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.Split(p, "/")[0], ".") {
				assert.True(t, allowed[p], "%s imports %s", e.Name(), p)
			}
		}
	}
}
