package sdkcheck

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/sdkcheck/replay"
	"github.com/orgconform/orgconform/specs"
)

// The tests of this file judge canned outcomes: what an SDK that decodes
// every golden as expected would give, then one planted change at a time.

// matching is how a canned SDK matches error codes.
type matching int

const (
	perOperationInsensitive matching = iota // organizations before v1.57.0
	serviceWideSensitive                    // from v1.57.0
)

// canned returns the outcomes of an SDK that decodes every case as
// expected and matches error codes as m says.
func canned(cases []Case, m matching) []replay.Outcome {
	var out []replay.Outcome
	for _, c := range cases {
		o := replay.Outcome{ID: c.ID}
		switch {
		case c.Want != nil && c.Want.Error != nil:
			w := c.Want.Error
			o.Error = &replay.Decoded{Type: expectedType(w.Type), Code: w.Code, Message: w.Message, Reason: w.Reason, Fault: w.Fault}
		case c.Want != nil:
			o.Output = c.Want.Output
			if r := c.Want.Request; r != nil {
				sent := *r
				o.Request = &sent
			}
		case c.Probe == ProbeCase && m == perOperationInsensitive,
			c.Probe == ProbeScope && m == serviceWideSensitive:
			o.Error = &replay.Decoded{Type: "types." + c.Code, Code: c.Code, Fault: "client"}
		default:
			o.Error = &replay.Decoded{Type: "smithy.GenericAPIError", Code: strings.ToLower(c.Code), Fault: "unknown"}
		}
		out = append(out, o)
	}
	return out
}

// registry is every exception the spec classifies.
func registry(c *specs.Contract) []string {
	var out []string
	for _, e := range c.Errors {
		out = append(out, e.Name)
	}
	for _, e := range c.SDK.OutOfScope {
		out = append(out, e.Name)
	}
	return out
}

// probes counts the case and scope probes among cases.
func probes(cases []Case) (byCase, byScope int) {
	for _, c := range cases {
		switch c.Probe {
		case ProbeCase:
			byCase++
		case ProbeScope:
			byScope++
		}
	}
	return byCase, byScope
}

func testCases(t *testing.T) []Case {
	t.Helper()
	cases, err := Cases(golden.FS(), specs.Must())
	require.NoError(t, err)
	return cases
}

// threeVersions are canned results of v1.48.0 (per-operation), v1.57.0 and
// v1.62.8 (service-wide), given newest first to show Compare sorts them.
func threeVersions(t *testing.T) ([]Case, []VersionResult) {
	cases := testCases(t)
	reg := registry(specs.Must())
	return cases, []VersionResult{
		{Version: "v1.62.8", Core: "v1.48.0", Smithy: "v1.28.9", Registry: reg, Outcomes: canned(cases, serviceWideSensitive)},
		{Version: "v1.48.0", Core: "v1.40.0", Smithy: "v1.23.2", Registry: reg, Outcomes: canned(cases, perOperationInsensitive)},
		{Version: "v1.57.0", Core: "v1.45.1", Smithy: "v1.28.1", Registry: reg, Outcomes: canned(cases, serviceWideSensitive)},
	}
}

// edit changes the outcome id of results[i] in place.
func edit(t *testing.T, res VersionResult, id string, change func(*replay.Outcome)) {
	t.Helper()
	for i := range res.Outcomes {
		if res.Outcomes[i].ID == id {
			change(&res.Outcomes[i])
			return
		}
	}
	t.Fatalf("no outcome %s", id)
}

func rendered(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, r.WriteText(&b))
	return b.String()
}

// withSDK returns a copy of the spec with its sdk.json part changed.
func withSDK(change func(*specs.SDK)) *specs.Contract {
	c := *specs.Must()
	sdk := c.SDK
	sdk.OutOfScope = append([]specs.OutOfScopeError(nil), sdk.OutOfScope...)
	sdk.Since = append([]specs.Since(nil), sdk.Since...)
	sdk.ErrorMatching = append([]specs.ErrorMatching(nil), sdk.ErrorMatching...)
	change(&sdk)
	c.SDK = sdk
	return &c
}

func TestCompareAllAsExpected(t *testing.T) {
	cases, res := threeVersions(t)
	r := Compare(specs.Must(), cases, res)
	assert.False(t, r.Failed(), r.Failures)
	assert.Empty(t, r.NotModelled)
	assert.Equal(t, []string{"error matching changed between v1.48.0 and v1.57.0: case-insensitive → case-sensitive, per-operation → service-wide (recorded in specs/sdk.json from v1.57.0)"}, r.MatchingChanges)
	out := rendered(t, r)
	assert.Contains(t, out, "  v1.48.0  core v1.40.0, smithy-go v1.23.2, 50 exceptions in the registry\n  v1.57.0")
	assert.Regexp(t, `(?m)^AcceptHandshake/errors/HandshakeNotFoundException.http  \(as recorded and 8 wire forms`, out)
	assert.Regexp(t, `(?m)^  FIELD +EXPECTED +v1\.48\.0 +v1\.57\.0 +v1\.62\.8$`, out)
	assert.Regexp(t, `(?m)^  type +"types\.HandshakeNotFoundException" +ok +ok +ok$`, out)
	nCase, _ := probes(cases)
	assert.Regexp(t, fmt.Sprintf(`(?m)^  case of codes +observed +insensitive \(%[1]d/%[1]d typed\) +sensitive \(0/%[1]d typed\) +sensitive \(0/%[1]d typed\)$`, nCase), out)
	assert.NotContains(t, out, "[lower-case message]", "forms that decode as expected get no row")
	assert.Regexp(t, `^3 versions, \d+ goldens \(\d+ cases with their wire forms, \d+ probes\): no differences, 0 not modelled, 0 unclassified$`, r.Summary())
	assert.True(t, strings.HasSuffix(out, "\n"+r.Summary()+"\n"), "the summary closes the text")
}

// A difference names the golden, the field, the expected value and what
// each version decodes.
func TestCompareNamesTheFieldAndTheChange(t *testing.T) {
	cases, res := threeVersions(t)
	edit(t, res[0], "AcceptHandshake/errors/HandshakeAlreadyInStateException.http", func(o *replay.Outcome) { o.Error.Reason = "ALREADY_ACCEPTED" })
	edit(t, res[0], "AcceptHandshake/errors/HandshakeNotFoundException.http [lower-case message]", func(o *replay.Outcome) { o.Error.Message = "" })
	r := Compare(specs.Must(), cases, res)
	require.True(t, r.Failed())
	assert.Equal(t, []string{
		`AcceptHandshake/errors/HandshakeAlreadyInStateException.http: reason: expected ""; v1.62.8 decodes "ALREADY_ACCEPTED"; v1.48.0, v1.57.0 decode it as expected`,
		`AcceptHandshake/errors/HandshakeNotFoundException.http [lower-case message]: message: expected "We can't find a handshake with the HandshakeId that you specified."; v1.62.8 decodes ""; v1.48.0, v1.57.0 decode it as expected`,
	}, r.Failures)
	out := rendered(t, r)
	assert.Regexp(t, `(?m)^  reason +"" +ok +ok +DIFF "ALREADY_ACCEPTED"$`, out)
	assert.Regexp(t, `(?m)^  message \[lower-case message\] +"We can't find a handshake with the Handshake…" +ok +ok +DIFF ""$`, out)
	assert.Contains(t, out, "Differences (2):\n  AcceptHandshake/errors/HandshakeAlreadyInStateException.http: reason:")
	assert.Contains(t, out, ": 2 differences, 0 not modelled")
}

// An expectation that holds only from a later version reads "not
// modelled in this version" in older ones, and does not fail.
func TestSinceTurnsAnOlderVersionsDifferenceIntoNotModelled(t *testing.T) {
	cases, res := threeVersions(t)
	const g = "AcceptHandshake/errors/HandshakeConstraintViolationException.http"
	edit(t, res[1], g, func(o *replay.Outcome) { o.Error.Reason = "" })
	r := Compare(specs.Must(), cases, res)
	assert.Equal(t, []string{g + `: reason: expected "ALREADY_IN_AN_ORGANIZATION"; v1.48.0 decodes ""; v1.57.0, v1.62.8 decode it as expected`}, r.Failures)

	c := withSDK(func(s *specs.SDK) {
		s.Since = append(s.Since, specs.Since{Golden: "*/errors/HandshakeConstraint*.http", Field: "reason", Version: "v1.57.0", Note: "planted by the test"})
	})
	r = Compare(c, cases, res)
	assert.False(t, r.Failed(), r.Failures)
	assert.Equal(t, []string{g + `: reason: expected "ALREADY_IN_AN_ORGANIZATION"; v1.48.0 decodes "" (not modelled in this version: holds from v1.57.0); v1.57.0, v1.62.8 decode it as expected`}, r.NotModelled)
	assert.Equal(t, []string{"*/errors/HandshakeConstraint*.http reason holds from v1.57.0: planted by the test"}, r.SinceNotes)
	out := rendered(t, r)
	assert.Regexp(t, `(?m)^  reason +"ALREADY_IN_AN_ORGANIZATION" +n/m "" +ok +ok$`, out)
	assert.Contains(t, out, "Not modelled, or a known regression, in some versions (1):")
	assert.Contains(t, out, "    */errors/HandshakeConstraint*.http reason holds from v1.57.0: planted by the test\n")
	assert.Contains(t, out, ": no differences, 1 not modelled")

	// A version from the since on still fails.
	edit(t, res[0], g, func(o *replay.Outcome) { o.Error.Reason = "" })
	r = Compare(c, cases, res)
	assert.Equal(t, []string{g + `: reason: expected "ALREADY_IN_AN_ORGANIZATION"; v1.48.0 decodes "" (not modelled in this version: holds from v1.57.0); v1.62.8 decodes ""; v1.57.0 decodes it as expected`}, r.Failures)
}

// A known regression (a since entry with From) reads "regr" in the
// versions from From up to the one it holds again from, and does not
// fail; a version before From with the same defect still fails.
func TestSinceFromMarksAKnownRegression(t *testing.T) {
	cases, res := threeVersions(t)
	const g = "AcceptHandshake/errors/HandshakeNotFoundException.http"
	edit(t, res[2], g+" [lower-case message]", func(o *replay.Outcome) { o.Error.Message = "" })
	c := withSDK(func(s *specs.SDK) {
		s.Since = []specs.Since{{Golden: "*/errors/*.http", Form: "lower-case message", Field: "message", From: "v1.57.0", Version: "v1.61.2", Note: "planted by the test"}}
	})
	r := Compare(c, cases, res)
	assert.False(t, r.Failed(), r.Failures)
	assert.Equal(t, []string{g + ` [lower-case message]: message: expected "We can't find a handshake with the HandshakeId that you specified."; v1.57.0 decodes "" (a known regression of this version: holds again from v1.61.2); v1.48.0, v1.62.8 decode it as expected`}, r.NotModelled)
	assert.Equal(t, []string{"*/errors/*.http [lower-case message] message regressed from v1.57.0, holds again from v1.61.2: planted by the test"}, r.SinceNotes)
	out := rendered(t, r)
	assert.Regexp(t, `(?m)^  message \[lower-case message\] +"We can't find a handshake with the Handshake…" +ok +regr "" +ok$`, out)

	// The same defect before the regression began is a difference.
	edit(t, res[1], g+" [lower-case message]", func(o *replay.Outcome) { o.Error.Message = "" })
	r = Compare(c, cases, res)
	assert.True(t, r.Failed())
	assert.Len(t, r.Failures, 1)
	assert.Contains(t, r.Failures[0], "v1.48.0 decodes \"\"")
}

// Outputs compare value by value; timestamps as instants, members the
// expectation does not name are ignored.
func TestCompareOutputs(t *testing.T) {
	cases, res := threeVersions(t)
	const g = "AcceptHandshake/sample.response.http"
	edit(t, res[2], g, func(o *replay.Outcome) {
		h := o.Output.(map[string]any)["Handshake"].(map[string]any)
		changed := map[string]any{}
		for k, v := range h {
			changed[k] = v
		}
		changed["State"] = "OPEN"
		changed["RequestedTimestamp"] = "2016-12-13T20:14:19.257+01:00" // the same instant
		changed["Path"] = "o-exampleorgid/"                             // a member newer SDKs model
		o.Output = map[string]any{"Handshake": changed}
	})
	edit(t, res[1], g, func(o *replay.Outcome) {
		o.Output, o.Request, o.Problem = nil, nil, "this SDK has no operation AcceptHandshake"
	})
	r := Compare(specs.Must(), cases, res)
	require.Len(t, r.Failures, 7, "output, Handshake.State and the five fields of the request")
	assert.Equal(t, []string{
		g + `: output: expected "20 values"; v1.48.0 decodes (not replayed: this SDK has no operation AcceptHandshake); v1.57.0, v1.62.8 decode it as expected`,
		g + `: Handshake.State: expected "ACCEPTED"; v1.57.0 decodes "OPEN"; v1.48.0, v1.62.8 decode it as expected`,
		`AcceptHandshake/sample.request.http: method: expected "POST"; v1.48.0 decodes (not replayed: this SDK has no operation AcceptHandshake); v1.57.0, v1.62.8 decode it as expected`,
	}, r.Failures[:3])
}

func TestCompareRequests(t *testing.T) {
	cases, res := threeVersions(t)
	edit(t, res[1], "AcceptHandshake/sample.response.http", func(o *replay.Outcome) {
		o.Request.ContentType = "application/json"
		o.Request.Body = `{"HandshakeId":"h-examplehandshakeid111"}` // the same JSON, other spacing
	})
	r := Compare(specs.Must(), cases, res)
	assert.Equal(t, []string{`AcceptHandshake/sample.request.http: Content-Type: expected "application/x-amz-json-1.1"; v1.48.0 decodes "application/json"; v1.57.0, v1.62.8 decode it as expected`}, r.Failures)
}

// An exception in a version's registry that the spec classifies neither
// in scope nor out of scope fails the check, with the version it is new in.
func TestCompareFindsUnclassifiedExceptions(t *testing.T) {
	cases, res := threeVersions(t)
	res[0].Registry = append(append([]string(nil), res[0].Registry...), "FutureHandshakeException")
	c := withSDK(func(s *specs.SDK) {
		var kept []specs.OutOfScopeError
		for _, e := range s.OutOfScope {
			if e.Name != "PolicyInUseException" {
				kept = append(kept, e)
			}
		}
		s.OutOfScope = kept
	})
	r := Compare(c, cases, res)
	require.True(t, r.Failed())
	assert.Equal(t, []Unclassified{
		{Name: "FutureHandshakeException", Versions: []string{"v1.62.8"}, NewIn: "v1.62.8"},
		{Name: "PolicyInUseException", Versions: []string{"v1.48.0", "v1.57.0", "v1.62.8"}},
	}, r.Unclassified)
	assert.Equal(t, []string{
		"unclassified: FutureHandshakeException (new in v1.62.8): in the SDK's registry but neither in specs/errors.json (in scope) nor in specs/sdk.json outOfScope",
		"unclassified: PolicyInUseException (in v1.48.0, v1.57.0, v1.62.8): in the SDK's registry but neither in specs/errors.json (in scope) nor in specs/sdk.json outOfScope",
	}, r.Failures)
	assert.Contains(t, rendered(t, r), "  unclassified: FutureHandshakeException (new in v1.62.8)")
}

// A change of error matching the spec does not record fails, and so does a
// version that matches some codes one way and some the other.
func TestCompareReportsAnUnrecordedErrorMatchingChange(t *testing.T) {
	cases, res := threeVersions(t)
	c := withSDK(func(s *specs.SDK) { s.ErrorMatching = s.ErrorMatching[:1] })
	r := Compare(c, cases, res)
	assert.Equal(t, []string{"error matching changed between v1.48.0 and v1.57.0: case-insensitive → case-sensitive, per-operation → service-wide (not recorded in specs/sdk.json)"}, r.MatchingChanges)
	nCase, nScope := probes(cases)
	assert.Equal(t, []string{
		fmt.Sprintf("error matching: v1.57.0 matches codes case-sensitive (0 of %d lower-cased codes decoded to the typed error); specs/sdk.json says case-insensitive from v1.20.0", nCase),
		fmt.Sprintf("error matching: v1.57.0 matches codes service-wide (%[1]d of %[1]d codes of undocumented exceptions decoded to the typed error); specs/sdk.json says per-operation from v1.20.0", nScope),
		fmt.Sprintf("error matching: v1.62.8 matches codes case-sensitive (0 of %d lower-cased codes decoded to the typed error); specs/sdk.json says case-insensitive from v1.20.0", nCase),
		fmt.Sprintf("error matching: v1.62.8 matches codes service-wide (%[1]d of %[1]d codes of undocumented exceptions decoded to the typed error); specs/sdk.json says per-operation from v1.20.0", nScope),
	}, r.Failures)
	assert.Contains(t, rendered(t, r), "(not recorded in specs/sdk.json)")

	_, res = threeVersions(t)
	edit(t, res[1], "AcceptHandshake/errors/ServiceException.http [lower-case code]", func(o *replay.Outcome) {
		o.Error = &replay.Decoded{Type: "smithy.GenericAPIError", Code: "serviceexception"}
	})
	r = Compare(specs.Must(), cases, res)
	assert.Equal(t, []string{fmt.Sprintf("error matching: v1.48.0: case: mixed: %d of %d lower-cased codes decoded to the typed error", nCase-1, nCase)}, r.Failures)
}

// No outcome at all for a case (the replay program skipped it) is a
// difference, not a silent pass.
func TestCompareMissingOutcome(t *testing.T) {
	cases, res := threeVersions(t)
	const id = "AcceptHandshake/errors/InvalidInputException.http"
	var kept []replay.Outcome
	for _, o := range res[0].Outcomes {
		if o.ID != id {
			kept = append(kept, o)
		}
	}
	res[0].Outcomes = kept
	r := Compare(specs.Must(), cases, res)
	require.Len(t, r.Failures, 5)
	assert.Equal(t, id+`: type: expected "types.InvalidInputException"; v1.62.8 decodes (no outcome: the replay program skipped the case); v1.48.0, v1.57.0 decode it as expected`, r.Failures[0])
}

// A lower-cased code whose golden the version does not decode to the type
// at all (the operation does not model the exception yet) says nothing
// about case sensitivity, and is not counted.
func TestCaseProbesOfUnmodelledGoldensAreNotCounted(t *testing.T) {
	cases, res := threeVersions(t)
	const g = "AcceptHandshake/errors/ConstraintViolationException.http"
	for _, id := range []string{g, g + " [lower-case code]"} {
		edit(t, res[1], id, func(o *replay.Outcome) {
			o.Error = &replay.Decoded{Type: "smithy.GenericAPIError", Code: "ConstraintViolationException", Fault: "unknown"}
		})
	}
	r := Compare(specs.Must(), cases, res)
	nCase, nScope := probes(cases)
	assert.Equal(t, Matching{Version: "v1.48.0", CaseProbes: nCase - 1, CaseTyped: nCase - 1, ScopeProbes: nScope, Case: "insensitive", Scope: "per-operation", Expected: &specs.Must().SDK.ErrorMatching[0]}, r.Matching[0])
	for _, f := range r.Failures {
		assert.NotContains(t, f, "error matching")
	}
}

// A form that decodes exactly as the golden itself adds no row; a form
// that decodes otherwise does.
func TestFormsDecodingLikeTheGoldenAreNotRepeated(t *testing.T) {
	cases, res := threeVersions(t)
	const g = "AcceptHandshake/errors/HandshakeAlreadyInStateException.http"
	for _, c := range cases {
		if c.Golden == g && c.Probe == "" {
			edit(t, res[0], c.ID, func(o *replay.Outcome) { o.Error.Reason = "ALREADY_ACCEPTED" })
		}
	}
	edit(t, res[0], g+" [header only]", func(o *replay.Outcome) { o.Error.Reason = "OTHER" })
	r := Compare(specs.Must(), cases, res)
	assert.Equal(t, []string{
		g + `: reason: expected ""; v1.62.8 decodes "ALREADY_ACCEPTED"; v1.48.0, v1.57.0 decode it as expected`,
		g + ` [header only]: reason: expected ""; v1.62.8 decodes "OTHER"; v1.48.0, v1.57.0 decode it as expected`,
	}, r.Failures)
}
