package specs_test

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/internal/sdkmodel"
	"github.com/orgconform/orgconform/schemas"
	"github.com/orgconform/orgconform/specs"
)

// The SDK is read from its source in the module cache (package sdkmodel),
// never through compiled symbols, so these tests build with every SDK
// version from sdk.json's oldestSupported on; a test that needs a newer
// SDK skips and says which.

var (
	modelOnce    sync.Once
	model        *sdkmodel.Model
	modelVersion string
	modelErr     error
)

// sdk returns the model of the organizations version in go.mod.
func sdk(t *testing.T) (*sdkmodel.Model, string) {
	t.Helper()
	modelOnce.Do(func() { model, modelVersion, modelErr = sdkmodel.InModule(context.Background(), ".") })
	require.NoError(t, modelErr)
	return model, modelVersion
}

// classifiedEnums are the enums the contract classifies value by value.
var classifiedEnums = []string{
	"ActionType", "HandshakeState", "HandshakePartyType", "HandshakeResourceType",
	"HandshakeConstraintViolationExceptionReason", "InvalidInputExceptionReason",
	"ConstraintViolationExceptionReason", "AccessDeniedForDependencyExceptionReason",
	"OrganizationFeatureSet", "AccountStatus", "AccountState", "AccountJoinedMethod",
}

// sdkEnums returns the values the SDK in go.mod knows for each enum the
// contract classifies (an enum the SDK lacks is left out, and reported).
func sdkEnums(t *testing.T) map[string][]string {
	m, _ := sdk(t)
	out := map[string][]string{}
	for _, name := range classifiedEnums {
		if vs, ok := m.Enums[name]; ok {
			out[name] = append([]string(nil), vs...)
		}
	}
	return out
}

// requireClassifiedVersion skips a test that compares the spec value by
// value with an SDK older than the one the spec was classified against:
// such an SDK lacks values added since, which is no drift.
func requireClassifiedVersion(t *testing.T) {
	t.Helper()
	_, version := sdk(t)
	want := specs.Must().SDK.ClassifiedAgainst.Version
	if sdkmodel.CompareVersions(version, want) < 0 {
		t.Skipf("needs organizations %s or newer (specs/ was classified against it); go.mod has %s: compare older versions with `runner sdk %s,%s`", want, version, version, want)
	}
}

// outsideSDKEnum reports whether a value is, by its drift, absent from the
// SDK's enum: reference-only (gone from the model) or documentation-only
// (only in the model's documentation).
func outsideSDKEnum(v specs.EnumValue) bool {
	return v.Drift == specs.DriftReferenceOnly || v.Drift == specs.DriftDocumentationOnly
}

// enumProblems compares the enums of c with sdk (enum name to the SDK's
// values). A value the SDK lacks although its drift says it is in the SDK's
// enum, an SDK value c does not classify, a reference-only or
// documentation-only value the SDK has, and a documentation-only value whose
// sameAs the SDK lacks are problems.
func enumProblems(c *specs.Contract, sdk map[string][]string) []string {
	var out []string
	for _, name := range classifiedEnums {
		if _, ok := sdk[name]; !ok {
			out = append(out, fmt.Sprintf("enum %s: classified in specs/enums.json, missing from the SDK", name))
		}
	}
	for _, name := range sortedKeys(sdk) {
		e, ok := c.Enum(name)
		if !ok {
			out = append(out, fmt.Sprintf("enum %s: in the SDK, missing from specs/enums.json", name))
			continue
		}
		inSDK := set(sdk[name])
		classified := map[string]bool{}
		for _, v := range e.Values {
			classified[v.Value] = true
			switch {
			case outsideSDKEnum(v) && inSDK[v.Value]:
				out = append(out, fmt.Sprintf("%s.%s: drift=%s but the SDK has it (stale drift note)", name, v.Value, v.Drift))
			case !outsideSDKEnum(v) && !inSDK[v.Value]:
				out = append(out, fmt.Sprintf("%s.%s: in specs/enums.json (source %s) but not in the SDK", name, v.Value, v.Source))
			case v.Drift == specs.DriftDocumentationOnly && !inSDK[v.SameAs]:
				out = append(out, fmt.Sprintf("%s.%s: sameAs %q, which the SDK does not have", name, v.Value, v.SameAs))
			}
		}
		for _, v := range sdk[name] {
			if !classified[v] {
				out = append(out, fmt.Sprintf("%s.%s: in the SDK but not classified in specs/enums.json", name, v))
			}
		}
	}
	return out
}

// schemaEnumProblems reports enum values of schemas/defs.schema.json that
// the SDK does not know, except those c classifies as documentation-only
// (conforming, but only in the model's documentation).
func schemaEnumProblems(c *specs.Contract, sdk map[string][]string) []string {
	var out []string
	for _, name := range sortedKeys(sdk) {
		vals, err := schemas.EnumValues(name)
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		inSDK := set(sdk[name])
		docOnly := map[string]bool{}
		if e, ok := c.Enum(name); ok {
			for _, v := range e.Values {
				docOnly[v.Value] = v.Drift == specs.DriftDocumentationOnly
			}
		}
		for _, v := range vals {
			if !inSDK[v] && !docOnly[v] {
				out = append(out, fmt.Sprintf("schemas %s.%s: not in the SDK", name, v))
			}
		}
	}
	return out
}

// errorProblems checks that every modeled exception of c has an SDK error
// type with the same ErrorCode() and ErrorFault().
func errorProblems(c *specs.Contract, sdk []sdkmodel.Exception) []string {
	byCode := map[string]sdkmodel.Exception{}
	for _, e := range sdk {
		byCode[e.Code] = e
	}
	var out []string
	for _, e := range c.Errors {
		typed, ok := byCode[e.Name]
		if !ok {
			out = append(out, fmt.Sprintf("exception %s: no SDK error type", e.Name))
			continue
		}
		if typed.Fault != e.Fault {
			out = append(out, fmt.Sprintf("exception %s: fault %s in specs/errors.json, %s in the SDK", e.Name, e.Fault, typed.Fault))
		}
	}
	return out
}

// registryProblems checks the other direction: every exception in the
// SDK's registry is classified, in scope (specs/errors.json) or out of
// scope (specs/sdk.json).
func registryProblems(c *specs.Contract, registry []string) []string {
	var out []string
	for _, name := range registry {
		if c.Classification(name) == "" {
			out = append(out, fmt.Sprintf("exception %s: in the SDK's registry but classified neither in specs/errors.json (in scope) nor in specs/sdk.json outOfScope", name))
		}
	}
	return out
}

func TestSpecEnumsMatchTheSDK(t *testing.T) {
	requireClassifiedVersion(t)
	assert.Empty(t, enumProblems(specs.Must(), sdkEnums(t)))
}

func TestSchemaEnumsAreInTheSDK(t *testing.T) {
	requireClassifiedVersion(t)
	assert.Empty(t, schemaEnumProblems(specs.Must(), sdkEnums(t)))
}

func TestSpecErrorsMatchTheSDK(t *testing.T) {
	m, _ := sdk(t)
	assert.Empty(t, errorProblems(specs.Must(), m.Exceptions))
}

// Every exception the SDK's registry knows is classified, so an exception
// a new SDK adds cannot pass unnoticed.
func TestSDKRegistryIsClassified(t *testing.T) {
	m, _ := sdk(t)
	assert.Empty(t, registryProblems(specs.Must(), m.Names()))
}

// The registry check finds an exception nobody classified: sdk.json with
// one out-of-scope name removed, and a registry with a new name.
func TestRegistryCheckFindsUnclassifiedExceptions(t *testing.T) {
	m, _ := sdk(t)
	c := parseModified(t, "sdk.json", `"name": "PolicyInUseException",`, `"name": "RemovedByTestException",`)
	assert.Equal(t, []string{"exception PolicyInUseException: in the SDK's registry but classified neither in specs/errors.json (in scope) nor in specs/sdk.json outOfScope"},
		registryProblems(c, m.Names()))
	registry := append(append([]string(nil), m.Names()...), "FutureHandshakeException")
	assert.Equal(t, []string{"exception FutureHandshakeException: in the SDK's registry but classified neither in specs/errors.json (in scope) nor in specs/sdk.json outOfScope"},
		registryProblems(specs.Must(), registry))
}

// The registry the harness reads is the SDK's: for versions with a type
// registry, its entries are exactly the error types, so reading either
// cannot hide an exception.
func TestTypeRegistryMatchesTheErrorTypes(t *testing.T) {
	m, version := sdk(t)
	if m.Registry == nil {
		t.Skipf("needs organizations v1.57.0 or newer (TypeRegistry arrived with schema-based serde); go.mod has %s", version)
	}
	var types []string
	for _, e := range m.Exceptions {
		types = append(types, e.Name)
	}
	assert.Equal(t, types, m.Registry)
}

// The comparison finds a value removed from the spec.
func TestEnumCheckFindsAValueRemovedFromTheSpec(t *testing.T) {
	c := parseModified(t, "enums.json", `"value": "HANDSHAKE_RATE_LIMIT_EXCEEDED",`, `"value": "REMOVED_BY_TEST",`)
	problems := enumProblems(c, sdkEnums(t))
	assert.Contains(t, problems, "HandshakeConstraintViolationExceptionReason.HANDSHAKE_RATE_LIMIT_EXCEEDED: in the SDK but not classified in specs/enums.json")
	assert.Contains(t, problems, "HandshakeConstraintViolationExceptionReason.REMOVED_BY_TEST: in specs/enums.json (source reference) but not in the SDK")
}

// Deleting the value's whole entry (not renaming it) is reported too.
func TestEnumCheckFindsAValueDeletedFromTheSpec(t *testing.T) {
	c := parseModified(t, "enums.json", deletedValue(t, "EXPIRED"), "")
	assert.Equal(t, []string{"HandshakeState.EXPIRED: in the SDK but not classified in specs/enums.json"},
		added(enumProblems(specs.Must(), sdkEnums(t)), enumProblems(c, sdkEnums(t))))
}

// A future SDK value nobody classified, a documentation-only value that
// appears in the SDK's enum, and a reference-only one that reappears are
// reported.
func TestEnumCheckFindsNewAndStaleSDKValues(t *testing.T) {
	enums := sdkEnums(t)
	enums["HandshakeState"] = append(enums["HandshakeState"], "ARCHIVED")
	enums["InvalidInputExceptionReason"] = append(enums["InvalidInputExceptionReason"], "INVALID_PAGINATION_TOKEN")
	problems := added(enumProblems(specs.Must(), sdkEnums(t)), enumProblems(specs.Must(), enums))
	assert.ElementsMatch(t, []string{
		"HandshakeState.ARCHIVED: in the SDK but not classified in specs/enums.json",
		"InvalidInputExceptionReason.INVALID_PAGINATION_TOKEN: drift=documentation-only but the SDK has it (stale drift note)",
	}, problems)
	c := parseModified(t, "enums.json", `"drift": "documentation-only",
          "sameAs": "INVALID_NEXT_TOKEN",`, `"drift": "reference-only",`)
	problems = added(enumProblems(c, sdkEnums(t)), enumProblems(c, enums))
	assert.Contains(t, problems, "InvalidInputExceptionReason.INVALID_PAGINATION_TOKEN: drift=reference-only but the SDK has it (stale drift note)")
}

// A documentation-only value must stand for a value the SDK's enum has.
func TestEnumCheckFindsADocumentationOnlyValueWithoutItsEnumValue(t *testing.T) {
	c := parseModified(t, "enums.json", `"sameAs": "INVALID_NEXT_TOKEN"`, `"sameAs": "INVALID_TOKEN"`)
	assert.Equal(t, []string{`InvalidInputExceptionReason.INVALID_PAGINATION_TOKEN: sameAs "INVALID_TOKEN", which the SDK does not have`},
		added(enumProblems(specs.Must(), sdkEnums(t)), enumProblems(c, sdkEnums(t))))
}

// The schema check exempts documentation-only values but no others: a
// value taken out of the SDK's enum is reported, and so is the
// documentation-only INVALID_PAGINATION_TOKEN once its drift says
// otherwise. Both are compared with the check's answer for the SDK as it
// is, so the test holds for every version from oldestSupported on (an SDK
// older than the one specs/ was classified against already lacks the
// values added since; TestSchemaEnumsAreInTheSDK requires that answer to be
// empty at the classified version).
func TestSchemaEnumCheckExemptsOnlyDocumentationOnlyValues(t *testing.T) {
	before := schemaEnumProblems(specs.Must(), sdkEnums(t))

	enums := sdkEnums(t)
	require.Contains(t, enums["InvalidInputExceptionReason"], "INVALID_PATTERN")
	var without []string
	for _, v := range enums["InvalidInputExceptionReason"] {
		if v != "INVALID_PATTERN" {
			without = append(without, v)
		}
	}
	enums["InvalidInputExceptionReason"] = without
	assert.Equal(t, []string{"schemas InvalidInputExceptionReason.INVALID_PATTERN: not in the SDK"},
		added(before, schemaEnumProblems(specs.Must(), enums)))

	c := parseModified(t, "enums.json", `"drift": "documentation-only",
          "sameAs": "INVALID_NEXT_TOKEN",`, `"drift": "reference-only",`)
	assert.Equal(t, []string{"schemas InvalidInputExceptionReason.INVALID_PAGINATION_TOKEN: not in the SDK"},
		added(before, schemaEnumProblems(c, sdkEnums(t))))
}

func TestErrorCheckFindsFaultAndNameDrift(t *testing.T) {
	m, _ := sdk(t)
	sdkErrors := m.Exceptions
	c := parseModified(t, "errors.json", `"name": "ServiceException",
      "httpStatus": 500,
      "fault": "server",`, `"name": "ServiceException",
      "httpStatus": 500,
      "fault": "client",`)
	assert.Equal(t, []string{"exception ServiceException: fault client in specs/errors.json, server in the SDK"}, errorProblems(c, sdkErrors))
	c = parseModified(t, "errors.json", `"name": "HandshakeNotFoundException",`, `"name": "HandshakeMissingException",`)
	assert.Equal(t, []string{"exception HandshakeMissingException: no SDK error type"}, errorProblems(c, sdkErrors))
}

// The SDK model now gives most exceptions an httpError code (403, 404, 409,
// 429) where the reference page says 400. specs/errors.json records each as
// modelHttpStatus (drift); this test fails when the SDK's code and the
// recorded one part, so a future SDK change is classified, not missed.
func TestHTTPStatusDriftIsRecorded(t *testing.T) {
	m, version := sdk(t)
	if !m.HasSchemas() {
		t.Skipf("needs organizations v1.57.0 or newer (httpError traits arrived with schema-based serde); go.mod has %s", version)
	}
	for _, e := range specs.Must().Errors {
		typed, ok := m.Exception(e.Name)
		require.True(t, ok, e.Name)
		got := e.HTTPStatus
		if typed.HTTPStatus != 0 {
			got = typed.HTTPStatus
		}
		assert.Contains(t, e.Statuses(), got, "%s: the SDK model says HTTP %d; record it as modelHttpStatus in specs/errors.json", e.Name, got)
	}
}

// parseModified parses a copy of the embedded specs in which one occurrence
// of old in file is replaced by repl.
func parseModified(t *testing.T, file, old, repl string) *specs.Contract {
	t.Helper()
	c, err := specs.Parse(modifiedFS(t, file, old, repl))
	require.NoError(t, err)
	return c
}

// modifiedFS is a copy of the embedded specs in which one occurrence of old
// in file is replaced by repl.
func modifiedFS(t *testing.T, file, old, repl string) fstest.MapFS {
	t.Helper()
	mfs := fstest.MapFS{}
	err := fs.WalkDir(specs.Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(specs.Files(), p)
		mfs[p] = &fstest.MapFile{Data: data}
		return err
	})
	require.NoError(t, err)
	orig := string(mfs[file].Data)
	require.Contains(t, orig, old)
	mfs[file] = &fstest.MapFile{Data: []byte(strings.Replace(orig, old, repl, 1))}
	return mfs
}

// deletedValue returns the JSON text of the enum value entry v in
// enums.json, with the separator that precedes it, for deletion.
func deletedValue(t *testing.T, v string) string {
	t.Helper()
	data, err := fs.ReadFile(specs.Files(), "enums.json")
	require.NoError(t, err)
	s := string(data)
	i := strings.Index(s, `"value": "`+v+`"`)
	require.True(t, i > 0, v)
	start := strings.LastIndex(s[:i], ",")
	end := i + strings.Index(s[i:], "}") + 1
	return s[start:end]
}

// added returns the problems of after that before does not have, so the
// tests of the comparison itself hold whatever drift the real SDK shows.
func added(before, after []string) []string {
	seen := set(before)
	var out []string
	for _, p := range after {
		if !seen[p] {
			out = append(out, p)
		}
	}
	return out
}

func set(vs []string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
