package reftarget_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/orgconform/orgconform/specs"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// wantError checks that r is the named error with the status specs gives it.
func wantError(t *testing.T, r rawResponse, name, reason string) {
	t.Helper()
	if got := r.body["__type"]; got != name {
		t.Fatalf("__type = %v, want %s (status %d, body %s)", got, name, r.status, r.text)
	}
	c := specs.Must()
	want := 0
	if e, ok := c.Error(name); ok {
		want = e.HTTPStatus
	} else if e, ok := c.CommonError(name); ok {
		want = e.HTTPStatus
	}
	if want != 0 && r.status != want {
		t.Errorf("%s: status %d, specs says %d", name, r.status, want)
	}
	if got, _ := r.body["Reason"].(string); got != reason {
		t.Errorf("%s: Reason = %q, want %q", name, got, reason)
	}
	if msg, _ := r.body["Message"].(string); msg == "" {
		t.Errorf("%s: empty Message", name)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestWireErrors(t *testing.T) {
	tg := newTarget(t)
	long35 := "h-" + strings.Repeat("a", 33)
	tests := []struct {
		name, account, op, body string
		want, reason            string
	}{
		{"no authorization", "", "DescribeOrganization", `{}`, "MissingAuthenticationTokenException", ""},
		{"unknown operation", mgmtAcct, "DescribeEverything", `{}`, "UnknownOperationException", ""},
		{"foreign prefix", mgmtAcct, "AmazonSQS.ListQueues", `{}`, "UnknownOperationException", ""},
		{"body is an array", mgmtAcct, "DescribeOrganization", `[]`, "SerializationException", ""},
		{"body is a string", mgmtAcct, "DescribeOrganization", `"x"`, "SerializationException", ""},
		{"body is null", mgmtAcct, "DescribeOrganization", `null`, "SerializationException", ""},
		{"body is truncated", mgmtAcct, "DescribeOrganization", `{"a":`, "SerializationException", ""},
		{"two objects", mgmtAcct, "DescribeOrganization", `{} {}`, "SerializationException", ""},
		{"id is a number", mgmtAcct, "AcceptHandshake", `{"HandshakeId": 5}`, "SerializationException", ""},
		{"target is a string", mgmtAcct, "InviteAccountToOrganization", `{"Target": "222222222222"}`, "SerializationException", ""},
		{"nested id is a number", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": 2, "Type": "ACCOUNT"}}`, "SerializationException", ""},
		{"MaxResults is a string", mgmtAcct, "ListHandshakesForAccount", `{"MaxResults": "5"}`, "SerializationException", ""},
		{"MaxResults is fractional", mgmtAcct, "ListHandshakesForAccount", `{"MaxResults": 2.5}`, "SerializationException", ""},
		{"Filter is a list", mgmtAcct, "ListHandshakesForAccount", `{"Filter": []}`, "SerializationException", ""},
		{"missing id", mgmtAcct, "AcceptHandshake", `{}`, "InvalidInputException", "INPUT_REQUIRED"},
		{"null id", mgmtAcct, "DeclineHandshake", `{"HandshakeId": null}`, "InvalidInputException", "INPUT_REQUIRED"},
		{"35-char id", mgmtAcct, "AcceptHandshake", `{"HandshakeId": "` + long35 + `"}`, "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
		{"35-char malformed id", mgmtAcct, "CancelHandshake", `{"HandshakeId": "` + strings.Repeat("X", 35) + `"}`, "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
		{"malformed id", mgmtAcct, "DescribeHandshake", `{"HandshakeId": "h-BAD"}`, "InvalidInputException", "INVALID_PATTERN"},
		{"short id", mgmtAcct, "AcceptHandshake", `{"HandshakeId": "h-abc"}`, "InvalidInputException", "INVALID_PATTERN"},
		{"MaxResults 0", mgmtAcct, "ListHandshakesForAccount", `{"MaxResults": 0}`, "InvalidInputException", "MIN_VALUE_EXCEEDED"},
		{"MaxResults 21", mgmtAcct, "ListHandshakesForAccount", `{"MaxResults": 21}`, "InvalidInputException", "MAX_VALUE_EXCEEDED"},
		{"bad feature set", mgmtAcct, "CreateOrganization", `{"FeatureSet": "SOME"}`, "InvalidInputException", "INVALID_ENUM"},
		{"target without id", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Type": "ACCOUNT"}}`, "InvalidInputException", "INPUT_REQUIRED"},
		{"target without type", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222"}}`, "InvalidInputException", "INPUT_REQUIRED"},
		{"bad party type", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "x", "Type": "PERSON"}}`, "InvalidInputException", "INVALID_ENUM"},
		{"organization party", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "o-abcdefghij", "Type": "ORGANIZATION"}}`, "InvalidInputException", "INVALID_PARTY_TYPE_TARGET"},
		{"account id not 12 digits", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "1234", "Type": "ACCOUNT"}}`, "InvalidInputException", "INVALID_PARTY_TYPE_TARGET"},
		{"bad email", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "nobody", "Type": "EMAIL"}}`, "InvalidInputException", "INVALID_EMAIL_ADDRESS_TARGET"},
		{"notes too long", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT"}, "Notes": "` + strings.Repeat("n", 1025) + `"}`, "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
		{"bad account id", mgmtAcct, "RemoveAccountFromOrganization", `{"AccountId": "12345678901x"}`, "InvalidInputException", "INVALID_PATTERN"},
		{"two filters", mgmtAcct, "ListHandshakesForAccount", `{"Filter": {"ActionType": "INVITE", "ParentHandshakeId": "h-abcdefgh"}}`, "InvalidInputException", "MAX_LIMIT_EXCEEDED_FILTER"},
		{"bad filter action", mgmtAcct, "ListHandshakesForAccount", `{"Filter": {"ActionType": "DANCE"}}`, "InvalidInputException", "INVALID_ENUM"},
		{"foreign token", mgmtAcct, "ListHandshakesForAccount", `{"NextToken": "abc"}`, "InvalidInputException", "INVALID_NEXT_TOKEN"},
		{"unknown handshake", mgmtAcct, "DescribeHandshake", `{"HandshakeId": "h-abcdefgh12"}`, "HandshakeNotFoundException", ""},
		// Member names are case-sensitive: an unknown member spelt like a
		// known one in another case is ignored, as AWS ignores unknown
		// members; it neither fills nor breaks the known one.
		{"member in another case", mgmtAcct, "DescribeHandshake", `{"HandshakeId": "h-abcdefgh12", "handshakeId": 0}`, "HandshakeNotFoundException", ""},
		{"nested member in another case", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT", "type": 5}, "Notes": "` + strings.Repeat("n", 1025) + `"}`, "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
		// Tags: every item's Key and Value, by the model's Tag shape.
		{"tag is a string", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT"}, "Tags": ["a"]}`, "SerializationException", ""},
		{"tag key is a number", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT"}, "Tags": [{"Key": 1, "Value": ""}]}`, "SerializationException", ""},
		{"tag without value", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT"}, "Tags": [{"Key": "k"}]}`, "InvalidInputException", "INPUT_REQUIRED"},
		{"empty tag key", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT"}, "Tags": [{"Key": "", "Value": ""}]}`, "InvalidInputException", "MIN_LENGTH_EXCEEDED"},
		{"tag key too long", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT"}, "Tags": [{"Key": "` + strings.Repeat("k", 129) + `", "Value": ""}]}`, "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
		{"tag value too long", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT"}, "Tags": [{"Key": "k", "Value": "` + strings.Repeat("v", 257) + `"}]}`, "InvalidInputException", "MAX_LENGTH_EXCEEDED"},
		{"tag key with a symbol", mgmtAcct, "InviteAccountToOrganization", `{"Target": {"Id": "222222222222", "Type": "ACCOUNT"}, "Tags": [{"Key": "k", "Value": ""}, {"Key": "cost€", "Value": ""}]}`, "InvalidInputException", "INVALID_PATTERN"},
		{"not in an organization", mgmtAcct, "DescribeOrganization", ``, "AWSOrganizationsNotInUseException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tg.raw(tc.account, tc.op, []byte(tc.body))
			wantError(t, r, tc.want, tc.reason)
			if !uuidRe.MatchString(r.header.Get("x-amzn-RequestId")) {
				t.Errorf("x-amzn-RequestId %q is not a UUID", r.header.Get("x-amzn-RequestId"))
			}
		})
	}
}

// zeros is an endless stream of '0' bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

func TestBodyOverOneMiBIsRefused(t *testing.T) {
	tg := newTarget(t)
	for _, tc := range []struct {
		name   string
		length int64 // -1: chunked, no Content-Length
	}{{"content-length", 2 << 20}, {"chunked", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = io.LimitReader(io.MultiReader(strings.NewReader(`{"HandshakeId":"`), zeros{}), 2<<20)
			if tc.length < 0 {
				body = io.MultiReader(strings.NewReader(`{"HandshakeId":"`), io.LimitReader(zeros{}, 64<<20))
			}
			req, _ := http.NewRequestWithContext(ctx(t), http.MethodPost, tg.url+"/", body)
			req.ContentLength = tc.length
			req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.AcceptHandshake")
			req.Header.Set("Authorization", signedLooking(mgmtAcct))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				// The server may close the connection while the client still
				// writes; that is a refusal too, as long as it happens fast.
				t.Logf("client error (connection closed early): %v", err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				data, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d (%s), want 413", resp.StatusCode, data)
			}
		})
	}
}

func TestRequestIDsAreUniqueUUIDs(t *testing.T) {
	tg := newTarget(t)
	seen := map[string]bool{}
	for range 20 {
		r := tg.raw(mgmtAcct, "ListHandshakesForAccount", []byte(`{}`))
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.text)
		}
		id := r.header.Get("x-amzn-RequestId")
		if !uuidRe.MatchString(id) || seen[id] {
			t.Fatalf("request id %q: not a UUID or repeated", id)
		}
		seen[id] = true
	}
}

func TestCallerAccountConvention(t *testing.T) {
	tg := newTarget(t)
	for _, tc := range []struct{ auth, want string }{
		{signedLooking("123456789012"), "123456789012"},
		{signedLooking("AKIDEXAMPLE"), "000000000000"},
		{signedLooking("1234567890123"), "000000000000"},
		{"AWS4-HMAC-SHA256 garbage", "000000000000"},
	} {
		req, _ := http.NewRequestWithContext(ctx(t), http.MethodPost, tg.url+"/", bytes.NewBufferString(`{}`))
		req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.CreateOrganization")
		req.Header.Set("Authorization", tc.auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		created := resp.StatusCode == http.StatusOK
		if created && !strings.Contains(string(data), `"MasterAccountId":"`+tc.want+`"`) {
			t.Errorf("%q: created %s, want management account %s", tc.auth, data, tc.want)
		}
		if !created && (tc.want != "000000000000" || !strings.Contains(string(data), "AlreadyInOrganizationException")) {
			t.Errorf("%q: %d %s", tc.auth, resp.StatusCode, data)
		}
	}
}

// TestValidTagsAreAccepted: tag keys and values of letters, numbers and
// spaces of any script, and the model's few signs, pass (the Tag shape's
// pattern is the model's \p{L}\p{Z}\p{N}, not ASCII alone).
func TestValidTagsAreAccepted(t *testing.T) {
	tg := newTarget(t)
	tg.createOrg(mgmtAcct, "ALL")
	r := tg.raw(mgmtAcct, "InviteAccountToOrganization", []byte(`{"Target": {"Id": "222222222222", "Type": "ACCOUNT"},
		"Tags": [{"Key": "Équipe ½", "Value": ""}, {"Key": "cost-centre_1.a:b/c=d+e@f", "Value": "東京\u00a0٣"}]}`))
	if r.status != http.StatusOK {
		t.Fatalf("valid tags refused: %d %s", r.status, r.body)
	}
}
