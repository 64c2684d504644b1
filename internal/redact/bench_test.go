package redact

import (
	"fmt"
	"strings"
	"testing"
)

// benchSecrets are what an exchange redacts: the caller's secret key and
// session token and the request's signature.
var benchSecrets = []string{
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"FwoGZXIvYXdzEJr//////////wEaDEXAMPLETOKENiKAAW1y3e8zcx+Mo2Vm+tvMCK2mZC0pTfvH3qTbXNdYB6Rz6i9mvCzCJoBf3RUhDGMh4mEdqv6KXJjp2x2fNmoGRbI7BvN5bYv3T8JmnQUu0sAMqTdQdLgTAZ4uPdWqSShhXCVK4w6gsR9CsBTh2KS9ZvzgH0K4jvq8SUKpNrA9B=",
	"5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
}

// benchTexts are what an exchange kept for a failure holds: header values,
// a request body, a response body in JSON, a larger listing, and an HTML
// error page; none holds a secret (the common case), the last two one
// echoed JSON-escaped.
var benchTexts = map[string][]string{
	"exchange": {
		"AWSOrganizationsV20161128.AcceptHandshake", "application/x-amz-json-1.1", "20261130T065715Z", "127.0.0.1:36411",
		`{"HandshakeId":"h-abcdefgh12"}`,
		`{"__type":"HandshakeConstraintViolationException","Message":"The handshake h-abcdefgh12 cannot be accepted in its current state (OPEN is required; it is CANCELED).","Reason":"INVALID_HANDSHAKE_TRANSITION"}`,
	},
	"listing":   {listing()},
	"html-page": {`<!DOCTYPE html><html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>The request &quot;POST /&quot; could not be handled &mdash; see <a href="/docs?a=1&amp;b=2">the docs</a> &amp; try again. Path: %2Fv1%252Fitems</p></body></html>`},
	"echo-json": {`{"__type":"InvalidInputException","Message":"token ` + jsonEscape(benchSecrets[1]) + `"}`},
}

func listing() string {
	var b strings.Builder
	b.WriteString(`{"Accounts":[`)
	for i := range 20 {
		fmt.Fprintf(&b, `{"Arn":"arn:aws:organizations::100000000001:account/o-exampleorg/1000000000%02d","Email":"member%d@example.com","Id":"1000000000%02d","JoinedMethod":"INVITED","JoinedTimestamp":1.7e9,"Name":"Member %d","Status":"ACTIVE"},`, i, i, i, i)
	}
	b.WriteString(`{}]}`)
	return b.String()
}

func jsonEscape(s string) string { return strings.ReplaceAll(s, "/", `\/`) }

// BenchmarkSecrets redacts, as an exchange does, with a redactor made for
// it: "before" is the regular-expression redactor this package had
// (legacy_test.go), "after" the current one. Compare their ns/op.
func BenchmarkSecrets(b *testing.B) {
	for _, name := range []string{"exchange", "listing", "html-page", "echo-json"} {
		texts := benchTexts[name]
		b.Run(name+"/before", func(b *testing.B) {
			for b.Loop() {
				r := newLegacySecrets(benchSecrets...)
				for _, s := range texts {
					_ = r.String(s)
				}
			}
		})
		b.Run(name+"/after", func(b *testing.B) {
			for b.Loop() {
				r := NewSecrets(benchSecrets...)
				for _, s := range texts {
					_ = r.String(s)
				}
			}
		})
	}
}
