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
