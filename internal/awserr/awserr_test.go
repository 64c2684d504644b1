package awserr

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCode(t *testing.T) {
	for _, c := range []struct {
		name, header, body, want string
	}{
		{"header first", "AccessDeniedException:http://internal.amazon.com/", `{"__type":"Other"}`, "AccessDeniedException"},
		{"namespace", "", `{"__type":"com.amazonaws.organizations#HandshakeNotFoundException"}`, "HandshakeNotFoundException"},
		{"colon then hash", "", `{"__type":"a#B:c#d"}`, "B"},
		{"code member", "", `{"code":"InvalidInputException"}`, "InvalidInputException"},
		{"type before code", "", `{"code":"X","__type":"Y"}`, "Y"},
		{"non-string code", "", `{"code":3}`, ""},
		{"non-string __type is undecodable", "", `{"__type":3,"code":"X"}`, ""},
		{"empty", "", ``, ""},
		{"not an object", "", `["x"]`, ""},
		{"space kept", "", `{"__type":" X "}`, " X "},
		// The SDK reads no code, not even the header's, from a body it
		// cannot decode (found by fuzz.FuzzErrorParsing).
		{"header, body a number", "\x92", `0`, ""},
		{"header, body not an object", "AccessDeniedException", `["x"]`, ""},
		{"header, HTML body", "ServiceException", `<html><body>oops</body></html>`, ""},
		{"header, non-string Message", "AccessDeniedException", `{"Message":5}`, ""},
		{"header, body null", "AccessDeniedException", `null`, "AccessDeniedException"},
		{"header, empty body", "AccessDeniedException", ``, "AccessDeniedException"},
		{"header, trailing text after the object", "AccessDeniedException", `{} x`, "AccessDeniedException"},
		{"member names in another case", "", `{"__TYPE":"AccessDeniedException"}`, "AccessDeniedException"},
	} {
		h := http.Header{}
		if c.header != "" {
			h.Set("X-Amzn-ErrorType", c.header)
		}
		assert.Equal(t, c.want, Code(h, []byte(c.body)), c.name)
	}
}

func TestFields(t *testing.T) {
	f, ok := Fields([]byte(`{"__type":"T","message":"m","REASON":"R"} trailing`))
	assert.True(t, ok)
	assert.Equal(t, ErrorFields{Type: "T", Message: "m", Reason: "R"}, f)
	_, ok = Fields([]byte(`{"Message":1}`))
	assert.False(t, ok, "a non-string Message fails the SDK's decoder")
}
