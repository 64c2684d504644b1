package specs_test

import (
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	smithy "github.com/aws/smithy-go"
	"github.com/aws/smithy-go/traits"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/schemas"
	"github.com/orgconform/orgconform/specs"
)

// strs converts the Values() of an SDK enum type to strings.
func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// sdkEnums returns the values the SDK in go.mod knows for each enum the
// contract classifies.
func sdkEnums() map[string][]string {
	return map[string][]string{
		"ActionType":            strs(types.ActionType("").Values()),
		"HandshakeState":        strs(types.HandshakeState("").Values()),
		"HandshakePartyType":    strs(types.HandshakePartyType("").Values()),
		"HandshakeResourceType": strs(types.HandshakeResourceType("").Values()),
		"HandshakeConstraintViolationExceptionReason": strs(types.HandshakeConstraintViolationExceptionReason("").Values()),
		"InvalidInputExceptionReason":                 strs(types.InvalidInputExceptionReason("").Values()),
		"ConstraintViolationExceptionReason":          strs(types.ConstraintViolationExceptionReason("").Values()),
		"AccessDeniedForDependencyExceptionReason":    strs(types.AccessDeniedForDependencyExceptionReason("").Values()),
		"OrganizationFeatureSet":                      strs(types.OrganizationFeatureSet("").Values()),
		"AccountStatus":                               strs(types.AccountStatus("").Values()),
		"AccountState":                                strs(types.AccountState("").Values()),
		"AccountJoinedMethod":                         strs(types.AccountJoinedMethod("").Values()),
	}
}

// sdkErrors are the SDK's error types for the exceptions the contract models.
var sdkErrors = []smithy.APIError{
	&types.AWSOrganizationsNotInUseException{},
	&types.AccessDeniedException{},
	&types.AccessDeniedForDependencyException{},
	&types.AccountNotFoundException{},
	&types.AccountOwnerNotVerifiedException{},
	&types.AlreadyInOrganizationException{},
	&types.ConcurrentModificationException{},
	&types.ConstraintViolationException{},
	&types.DuplicateHandshakeException{},
	&types.FinalizingOrganizationException{},
	&types.HandshakeAlreadyInStateException{},
	&types.HandshakeConstraintViolationException{},
	&types.HandshakeNotFoundException{},
	&types.InvalidHandshakeTransitionException{},
	&types.InvalidInputException{},
	&types.MasterCannotLeaveOrganizationException{},
	&types.OrganizationNotEmptyException{},
	&types.ServiceException{},
	&types.TooManyRequestsException{},
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
func errorProblems(c *specs.Contract, sdk []smithy.APIError) []string {
	byCode := map[string]smithy.APIError{}
	for _, e := range sdk {
		byCode[e.ErrorCode()] = e
	}
	var out []string
	for _, e := range c.Errors {
		typed, ok := byCode[e.Name]
		if !ok {
			out = append(out, fmt.Sprintf("exception %s: no SDK error type", e.Name))
			continue
		}
		if got := typed.ErrorFault().String(); got != e.Fault {
			out = append(out, fmt.Sprintf("exception %s: fault %s in specs/errors.json, %s in the SDK", e.Name, e.Fault, got))
		}
	}
	return out
}

func TestSpecEnumsMatchTheSDK(t *testing.T) {
	assert.Empty(t, enumProblems(specs.Must(), sdkEnums()))
}

func TestSchemaEnumsAreInTheSDK(t *testing.T) {
	assert.Empty(t, schemaEnumProblems(specs.Must(), sdkEnums()))
}

func TestSpecErrorsMatchTheSDK(t *testing.T) {
	assert.Empty(t, errorProblems(specs.Must(), sdkErrors))
}

// The hand-written table agrees with the SDK's own type registry, so a
// typo in the table cannot hide a missing exception.
func TestErrorTableMatchesTheTypeRegistry(t *testing.T) {
	for _, e := range sdkErrors {
		entry, ok := organizations.TypeRegistry.LookupEntry("com.amazonaws.organizations#" + e.ErrorCode())
		require.True(t, ok, e.ErrorCode())
		assert.Equal(t, reflect.TypeOf(e), reflect.TypeOf(entry.New()), e.ErrorCode())
	}
}

// The comparison finds a value removed from the spec.
func TestEnumCheckFindsAValueRemovedFromTheSpec(t *testing.T) {
	c := parseModified(t, "enums.json", `"value": "HANDSHAKE_RATE_LIMIT_EXCEEDED",`, `"value": "REMOVED_BY_TEST",`)
	problems := enumProblems(c, sdkEnums())
	assert.Contains(t, problems, "HandshakeConstraintViolationExceptionReason.HANDSHAKE_RATE_LIMIT_EXCEEDED: in the SDK but not classified in specs/enums.json")
	assert.Contains(t, problems, "HandshakeConstraintViolationExceptionReason.REMOVED_BY_TEST: in specs/enums.json (source reference) but not in the SDK")
}

// Deleting the value's whole entry (not renaming it) is reported too.
func TestEnumCheckFindsAValueDeletedFromTheSpec(t *testing.T) {
	c := parseModified(t, "enums.json", deletedValue(t, "EXPIRED"), "")
	assert.Equal(t, []string{"HandshakeState.EXPIRED: in the SDK but not classified in specs/enums.json"},
		added(enumProblems(specs.Must(), sdkEnums()), enumProblems(c, sdkEnums())))
}

// A future SDK value nobody classified, a documentation-only value that
// appears in the SDK's enum, and a reference-only one that reappears are
// reported.
func TestEnumCheckFindsNewAndStaleSDKValues(t *testing.T) {
	sdk := sdkEnums()
	sdk["HandshakeState"] = append(sdk["HandshakeState"], "ARCHIVED")
	sdk["InvalidInputExceptionReason"] = append(sdk["InvalidInputExceptionReason"], "INVALID_PAGINATION_TOKEN")
	problems := added(enumProblems(specs.Must(), sdkEnums()), enumProblems(specs.Must(), sdk))
	assert.ElementsMatch(t, []string{
		"HandshakeState.ARCHIVED: in the SDK but not classified in specs/enums.json",
		"InvalidInputExceptionReason.INVALID_PAGINATION_TOKEN: drift=documentation-only but the SDK has it (stale drift note)",
	}, problems)
	c := parseModified(t, "enums.json", `"drift": "documentation-only",
          "sameAs": "INVALID_NEXT_TOKEN",`, `"drift": "reference-only",`)
	problems = added(enumProblems(c, sdkEnums()), enumProblems(c, sdk))
	assert.Contains(t, problems, "InvalidInputExceptionReason.INVALID_PAGINATION_TOKEN: drift=reference-only but the SDK has it (stale drift note)")
}

// A documentation-only value must stand for a value the SDK's enum has.
func TestEnumCheckFindsADocumentationOnlyValueWithoutItsEnumValue(t *testing.T) {
	c := parseModified(t, "enums.json", `"sameAs": "INVALID_NEXT_TOKEN"`, `"sameAs": "INVALID_TOKEN"`)
	assert.Equal(t, []string{`InvalidInputExceptionReason.INVALID_PAGINATION_TOKEN: sameAs "INVALID_TOKEN", which the SDK does not have`},
		added(enumProblems(specs.Must(), sdkEnums()), enumProblems(c, sdkEnums())))
}

// The schema check exempts documentation-only values but no others.
func TestSchemaEnumCheckExemptsOnlyDocumentationOnlyValues(t *testing.T) {
	sdk := sdkEnums()
	var without []string
	for _, v := range sdk["InvalidInputExceptionReason"] {
		if v != "INVALID_PATTERN" {
			without = append(without, v)
		}
	}
	sdk["InvalidInputExceptionReason"] = without
	assert.Equal(t, []string{"schemas InvalidInputExceptionReason.INVALID_PATTERN: not in the SDK"}, schemaEnumProblems(specs.Must(), sdk))
}

func TestErrorCheckFindsFaultAndNameDrift(t *testing.T) {
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
	for _, e := range specs.Must().Errors {
		entry, ok := organizations.TypeRegistry.LookupEntry("com.amazonaws.organizations#" + e.Name)
		require.True(t, ok, e.Name)
		sdk := e.HTTPStatus
		if trait, ok := smithy.SchemaTrait[*traits.HTTPError](entry.Schema); ok {
			sdk = trait.Code
		}
		assert.Contains(t, e.Statuses(), sdk, "%s: the SDK model says HTTP %d; record it as modelHttpStatus in specs/errors.json", e.Name, sdk)
	}
}

// parseModified parses a copy of the embedded specs in which one occurrence
// of old in file is replaced by repl.
func parseModified(t *testing.T, file, old, repl string) *specs.Contract {
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
	c, err := specs.Parse(mfs)
	require.NoError(t, err)
	return c
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
