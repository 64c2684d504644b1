package schemas

import (
	"encoding/json"
	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/specs"
)

func TestEveryFileIsDraft2020(t *testing.T) {
	names, err := Names()
	require.NoError(t, err)
	for _, n := range names {
		data, err := fs.ReadFile(FS(), n)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(data, &doc), n)
		assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", doc["$schema"], n)
	}
}

func TestEveryOperationHasRequestAndResponseSchemas(t *testing.T) {
	names, err := Names()
	require.NoError(t, err)
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	ops := map[string]bool{}
	for _, op := range specs.Must().Operations {
		ops[op.Name] = true
		assert.True(t, have[RequestFile(op.Name)], op.Name)
		assert.True(t, have[ResponseFile(op.Name)], op.Name)
	}
	assert.Len(t, ops, 14)
	for _, n := range names {
		if dir, _, ok := strings.Cut(n, "/"); ok && dir != "errors" {
			assert.True(t, ops[dir], "schema %s for an operation specs does not list", n)
		}
	}
}

func TestOneErrorSchemaPerModeledException(t *testing.T) {
	got, err := ErrorNames()
	require.NoError(t, err)
	var want []string
	for _, e := range specs.Must().Errors {
		want = append(want, e.Name)
	}
	sort.Strings(want)
	assert.Equal(t, want, got)
}

// Each reason-bearing exception's Reason is its reason enum; the others have
// no Reason property.
func TestErrorSchemasUseTheirReasonEnum(t *testing.T) {
	for _, e := range specs.Must().Errors {
		doc := readDoc(t, ErrorFile(e.Name))
		props := doc["properties"].(map[string]any)
		reason, has := props["Reason"].(map[string]any)
		if e.ReasonEnum == "" {
			assert.False(t, has, e.Name)
			continue
		}
		require.True(t, has, e.Name)
		assert.Equal(t, "../defs.schema.json#/$defs/"+e.ReasonEnum, reason["$ref"], e.Name)
	}
}

// The enums of defs.schema.json are the conforming values of specs/enums.json.
func TestEnumsMatchTheSpecs(t *testing.T) {
	for _, e := range specs.Must().Enums {
		got, err := EnumValues(e.Name)
		require.NoError(t, err, e.Name)
		assert.ElementsMatch(t, e.Conforming(), got, e.Name)
		for _, v := range e.Values {
			if v.Drift == specs.DriftReferenceOnly {
				assert.NotContains(t, got, v.Value, "%s.%s is reference-only", e.Name, v.Value)
			}
		}
	}
	_, err := EnumValues("NoSuchEnum")
	assert.Error(t, err)
}

// The scalar constraints of defs.schema.json are those of specs/shapes.json.
func TestScalarsMatchTheSpecs(t *testing.T) {
	defs := readDoc(t, DefsFile)["$defs"].(map[string]any)
	for name, s := range specs.Must().Scalars {
		def, ok := defs[name].(map[string]any)
		if !ok {
			continue // e.g. HandshakeResourceValue is covered, ExceptionMessage too; absent ones are not used
		}
		want := "string"
		if s.Type == "integer" {
			want = "integer"
		}
		assert.Equal(t, want, def["type"], name)
		if s.Pattern != "" && s.Pattern != "[\\s\\S]*" {
			assert.Equal(t, portablePattern(s.Pattern), def["pattern"], "%s: the portable form of the model pattern (portableRewrites)", name)
		}
		maxKey, minKey := "maxLength", "minLength"
		if s.Type == "integer" {
			maxKey, minKey = "maximum", "minimum"
		}
		if s.Max != nil {
			assert.EqualValues(t, *s.Max, def[maxKey], name)
		}
		if s.Min != nil {
			assert.EqualValues(t, *s.Min, def[minKey], name)
		}
	}
	for _, name := range []string{"HandshakeId", "HandshakeArn", "AccountId", "OrganizationId", "Email", "NextToken", "MaxResults"} {
		assert.Contains(t, defs, name)
	}
	assert.Equal(t, "^h-[0-9a-z]{8,32}$", defs["HandshakeId"].(map[string]any)["pattern"])
	assert.EqualValues(t, 34, defs["HandshakeId"].(map[string]any)["maxLength"])
	assert.Equal(t, "number", defs["Timestamp"].(map[string]any)["type"])
}

// Request members and their requiredness follow specs/operations.json.
func TestRequestSchemasFollowTheSpecs(t *testing.T) {
	for _, op := range specs.Must().Operations {
		doc := readDoc(t, RequestFile(op.Name))
		props, _ := doc["properties"].(map[string]any)
		var names, required []string
		for _, m := range op.Input {
			names = append(names, m.Name)
			if m.Required {
				required = append(required, m.Name)
			}
		}
		var got []string
		for k := range props {
			got = append(got, k)
		}
		assert.ElementsMatch(t, names, got, op.Name)
		var gotReq []string
		if r, ok := doc["required"].([]any); ok {
			for _, v := range r {
				gotReq = append(gotReq, v.(string))
			}
		}
		assert.ElementsMatch(t, required, gotReq, op.Name)
		if len(op.Input) == 0 {
			assert.NoError(t, ValidateRequest(op.Name, []byte(`{}`)), op.Name)
		}
	}
}

func TestResponsesOfOperationsWithoutOutput(t *testing.T) {
	for _, op := range []string{"RemoveAccountFromOrganization", "LeaveOrganization", "DeleteOrganization"} {
		assert.NoError(t, ValidateResponse(op, nil), op)
		assert.NoError(t, ValidateResponse(op, []byte("{}")), op)
	}
	err := ValidateResponse("AcceptHandshake", nil)
	var verr *ValidationError
	require.ErrorAs(t, err, &verr, "an operation with output needs a body")
	assert.True(t, verr.Has("", "required"), "%v", err)
}

func TestValidRequestsAndResponses(t *testing.T) {
	ok := []struct{ op, kind, body string }{
		{"InviteAccountToOrganization", "request", `{"Target":{"Id":"123456789012","Type":"ACCOUNT"},"Notes":"hi","Tags":[{"Key":"team","Value":""}]}`},
		{"ListHandshakesForAccount", "request", `{"Filter":{"ActionType":"INVITE"},"MaxResults":20,"NextToken":"abc"}`},
		{"CreateOrganization", "request", `{"FeatureSet":"ALL"}`},
		{"RemoveAccountFromOrganization", "request", `{"AccountId":"123456789012"}`},
		{"ListHandshakesForOrganization", "response", `{"Handshakes":[]}`},
		{"DescribeOrganization", "response", `{"Organization":{"Id":"o-abcdefghij","Arn":"arn:aws:organizations::123456789012:organization/o-abcdefghij","FeatureSet":"ALL","MasterAccountArn":"arn:aws:organizations::123456789012:account/o-abcdefghij/123456789012","MasterAccountId":"123456789012","MasterAccountEmail":"a@example.com","AvailablePolicyTypes":[]}}`},
		{"ListAccounts", "response", `{"Accounts":[{"Id":"123456789012","Arn":"arn:aws:organizations::123456789012:account/o-abcdefghij/123456789012","Email":"a@example.com","Name":"a","Status":"ACTIVE","State":"ACTIVE","JoinedMethod":"CREATED","JoinedTimestamp":1.7e9}],"NextToken":"x"}`},
	}
	for _, c := range ok {
		validate := ValidateRequest
		if c.kind == "response" {
			validate = ValidateResponse
		}
		assert.NoError(t, validate(c.op, []byte(c.body)), "%s %s", c.op, c.kind)
	}
}

func TestInvalidRequests(t *testing.T) {
	bad := []struct{ op, body, path, rule string }{
		{"ListAccounts", `{"MaxResults":21}`, "/MaxResults", "maximum"},
		{"ListAccounts", `{"MaxResults":0}`, "/MaxResults", "minimum"},
		{"ListAccounts", `{"MaxResults":1.5}`, "/MaxResults", "type"},
		{"ListHandshakesForAccount", `{"Filter":{"ActionType":"INVITE","ParentHandshakeId":"h-12345678"}}`, "/Filter", "not"},
		{"InviteAccountToOrganization", `{"Target":{"Id":"","Type":"ACCOUNT"}}`, "/Target/Id", "minLength"},
		{"InviteAccountToOrganization", `{"Target":{"Id":"x","Type":"PHONE"}}`, "/Target/Type", "enum"},
		{"InviteAccountToOrganization", `{"Target":{"Id":"x","Type":"EMAIL"},"Tags":[{"Key":"k"}]}`, "/Tags/0", "required"},
		{"InviteAccountToOrganization", `{"Target":{"Id":"x","Type":"EMAIL"},"Notes":"` + strings.Repeat("n", 1025) + `"}`, "/Notes", "maxLength"},
		{"RemoveAccountFromOrganization", `{"AccountId":"12345678901"}`, "/AccountId", "pattern"},
		{"CreateOrganization", `{"FeatureSet":"SOME"}`, "/FeatureSet", "enum"},
		{"AcceptHandshake", `[]`, "", "type"},
	}
	for _, c := range bad {
		err := ValidateRequest(c.op, []byte(c.body))
		var ve *ValidationError
		if assert.ErrorAs(t, err, &ve, "%s %s", c.op, c.body) {
			assert.True(t, ve.Has(c.path, c.rule), "%s %s: want %s %s, got\n%v", c.op, c.body, c.path, c.rule, err)
		}
	}
}

func TestValidationErrorNamesPathRuleAndValue(t *testing.T) {
	err := ValidateResponse("AcceptHandshake", []byte(`{"Handshake":{"Id":"h-ABC","Arn":"arn:aws:organizations::111111111111:handshake/o-exampleorgid/invite/h-examplehandshakeid111","State":"ACCEPTED","Action":"INVITE","Parties":[],"Resources":[],"RequestedTimestamp":1,"ExpirationTimestamp":2}}`))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Causes, 1)
	c := ve.Causes[0]
	assert.Equal(t, Cause{Path: "/Handshake/Id", Rule: "pattern", Value: `"h-ABC"`, Message: c.Message}, c)
	assert.Contains(t, c.Message, "^h-[0-9a-z]{8,32}$")
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 2, "one line per cause after the header")
	assert.Equal(t, `  /Handshake/Id: pattern: 'h-ABC' does not match pattern '^h-[0-9a-z]{8,32}$' (value "h-ABC")`, lines[1])
}

func TestValidateErrorUnknownCodeUsesGenericSchema(t *testing.T) {
	assert.NoError(t, ValidateError("UnrecognizedClientException", []byte(`{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`)))
	assert.NoError(t, ValidateError("com.amazonaws.organizations#HandshakeNotFoundException", []byte(`{"__type":"HandshakeNotFoundException"}`)), "code is reduced to the bare name")
	err := ValidateError("SerializationException", []byte(`{"message":"x"}`))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, GenericFile, ve.Schema)
	assert.True(t, ve.Has("", "required"))
}

func TestBareCode(t *testing.T) {
	for in, want := range map[string]string{
		"HandshakeNotFoundException":                                          "HandshakeNotFoundException",
		"aws.organizations#HandshakeNotFoundException":                        "HandshakeNotFoundException",
		"HandshakeNotFoundException:http://internal.amazon.com/coral/":        "HandshakeNotFoundException",
		"com.amazonaws.organizations#HandshakeNotFoundException:http://x/y#z": "HandshakeNotFoundException",
	} {
		assert.Equal(t, want, BareCode(in), in)
	}
}

func TestReportSchema(t *testing.T) {
	good := `{"target":"http://localhost:4566","seed":42,"duration_seconds":1.5,"requests":3,"interrupted":false,"peak_rss_bytes":0,
		"summary":{"ran":3,"passed":1,"failed":1,"skipped":0,"unsupported":1,"not_run":0},
		"groups":[],"capabilities":[],"flags":[],
		"checks":[{"id":"accept-open","group":"accept","operation":"AcceptHandshake","status":"pass","expected":"ACCEPTED","observed":"ACCEPTED","exchange":"","requests":2,"rerun":"runner -seed 42 -check accept-open"}],
		"cleanup_failures":[]}`
	require.NoError(t, ValidateReport([]byte(good)))
	bad := []struct {
		edit       func(map[string]any)
		path, rule string
	}{
		{func(r map[string]any) { delete(r, "seed") }, "", "required"},
		{func(r map[string]any) { r["extra"] = true }, "", "additionalProperties"},
		{func(r map[string]any) { r["seed"] = 1.5 }, "/seed", "type"},
		{func(r map[string]any) { r["checks"].([]any)[0].(map[string]any)["status"] = "ok" }, "/checks/0/status", "enum"},
		{func(r map[string]any) { delete(r["checks"].([]any)[0].(map[string]any), "rerun") }, "/checks/0", "required"},
		{func(r map[string]any) { r["summary"].(map[string]any)["failed"] = -1 }, "/summary/failed", "minimum"},
		{func(r map[string]any) { r["cleanup_failures"] = []any{1} }, "/cleanup_failures/0", "type"},
		{func(r map[string]any) { delete(r, "interrupted") }, "", "required"},
		{func(r map[string]any) { r["checks"].([]any)[0].(map[string]any)["status"] = "skipped" }, "/checks/0/status", "enum"},
		{func(r map[string]any) {
			r["capabilities"] = []any{map[string]any{"operation": "X", "status": "maybe", "evidence": ""}}
		}, "/capabilities/0/status", "enum"},
	}
	for i, b := range bad {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(good), &r))
		b.edit(r)
		data, err := json.Marshal(r)
		require.NoError(t, err)
		err = ValidateReport(data)
		var ve *ValidationError
		if assert.ErrorAs(t, err, &ve, "case %d", i) {
			assert.True(t, ve.Has(b.path, b.rule), "case %d: want %s %s, got\n%v", i, b.path, b.rule, err)
		}
	}
}

func TestUnknownSchema(t *testing.T) {
	assert.Error(t, ValidateRequest("NoSuchOperation", []byte(`{}`)))
	assert.Error(t, Validate("nope.json", []byte(`{}`)))
}

func readDoc(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := fs.ReadFile(FS(), name)
	require.NoError(t, err, name)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc), name)
	return doc
}

// ARNs of every partition validate, an account without the retiring Status
// member validates, and a made-up partition does not.
func TestPartitionsAndRetiredAccountStatus(t *testing.T) {
	for _, p := range []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"} {
		body := `{"Accounts":[{"Id":"123456789012","Arn":"arn:` + p + `:organizations::123456789012:account/o-abcdefghij/123456789012","Email":"a@example.com","Name":"a","State":"ACTIVE","JoinedMethod":"INVITED","JoinedTimestamp":1.7e9}]}`
		assert.NoError(t, ValidateResponse("ListAccounts", []byte(body)), p)
		org := `{"Organization":{"Id":"o-abcdefghij","Arn":"arn:` + p + `:organizations::123456789012:organization/o-abcdefghij","FeatureSet":"ALL","MasterAccountArn":"arn:` + p + `:organizations::123456789012:account/o-abcdefghij/123456789012","MasterAccountId":"123456789012","MasterAccountEmail":"a@example.com"}}`
		assert.NoError(t, ValidateResponse("DescribeOrganization", []byte(org)), p)
		hs := `{"Handshakes":[{"Id":"h-abcdefgh12","Arn":"arn:` + p + `:organizations::123456789012:handshake/o-abcdefghij/approve_all_features/h-abcdefgh12","Parties":[{"Id":"abcdefghij","Type":"ORGANIZATION"},{"Id":"222222222222","Type":"ACCOUNT"}],"State":"OPEN","RequestedTimestamp":1,"ExpirationTimestamp":2,"Action":"APPROVE_ALL_FEATURES","Resources":[{"Type":"PARENT_HANDSHAKE","Value":"abcdefgh11"},{"Type":"ORGANIZATION","Value":"o-abcdefghij"},{"Type":"ACCOUNT","Value":"222222222222"}]}]}`
		assert.NoError(t, ValidateResponse("ListHandshakesForAccount", []byte(hs)), p)
	}
	bad := `{"Accounts":[{"Id":"123456789012","Arn":"arn:gcp:organizations::123456789012:account/o-abcdefghij/123456789012","Email":"a@example.com","Name":"a","JoinedMethod":"INVITED","JoinedTimestamp":1.7e9}]}`
	var ve *ValidationError
	if assert.ErrorAs(t, ValidateResponse("ListAccounts", []byte(bad)), &ve) {
		assert.True(t, ve.Has("/Accounts/0/Arn", "pattern"), "%v", ve)
	}
}

// The InvalidInputException schema takes the reason names the model's
// documentation still lists besides its enum's.
func TestDocumentationOnlyReasonsValidate(t *testing.T) {
	for _, r := range []string{"INVALID_PAGINATION_TOKEN", "INVALID_NEXT_TOKEN", "MAX_FILTER_LIMIT_EXCEEDED", "MAX_LIMIT_EXCEEDED_FILTER"} {
		assert.NoError(t, ValidateError("InvalidInputException", []byte(`{"__type":"InvalidInputException","Message":"m","Reason":"`+r+`"}`)), r)
	}
	assert.Error(t, ValidateError("InvalidInputException", []byte(`{"__type":"InvalidInputException","Message":"m","Reason":"NO_SUCH_REASON"}`)))
}

func TestDocumentIsAFreshCopy(t *testing.T) {
	doc, err := Document(DefsFile)
	require.NoError(t, err)
	defs := doc.(map[string]any)["$defs"].(map[string]any)
	id := defs["HandshakeId"].(map[string]any)
	assert.Equal(t, json.Number("34"), id["maxLength"])
	id["maxLength"] = json.Number("1")
	again, err := Document(DefsFile)
	require.NoError(t, err)
	assert.Equal(t, json.Number("34"), again.(map[string]any)["$defs"].(map[string]any)["HandshakeId"].(map[string]any)["maxLength"])
	_, err = Document("nope.schema.json")
	assert.Error(t, err)
}
