package awserr

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestReadIsCodeAndFields: Read, one decode, gives what Code and Fields
// give, for bodies of every shape an error (or a success) may have.
func TestReadIsCodeAndFields(t *testing.T) {
	members := []string{
		`"__type":"com.amazonaws.organizations#HandshakeNotFoundException"`, `"__type":"X:http://internal"`, `"__type":7`,
		`"code":"Throttling"`, `"Code":9`, `"message":"lower"`, `"Message":"upper"`, `"Message":null`, `"Message":{}`,
		`"Reason":"INVALID_PATTERN"`, `"reason":3`, `"Handshake":{"Id":"h-1","State":"OPEN"}`, `"x":[1,2]`,
	}
	rapid.Check(t, func(rt *rapid.T) {
		picked := rapid.SliceOfN(rapid.SampledFrom(members), 0, 4).Draw(rt, "members")
		body := "{" + joinComma(picked) + "}"
		body = rapid.SampledFrom([]string{body, " \n" + body, body + "garbage", "[" + body + "]", "null", "", "   ", "<html>", body[:len(body)/2]}).Draw(rt, "shape")
		h := http.Header{}
		if rapid.Bool().Draw(rt, "header") {
			h.Set("X-Amzn-ErrorType", rapid.SampledFrom([]string{"AccessDeniedException:http://x", "aws.organizations#Y", ""}).Draw(rt, "type"))
		}
		code, f, decoded := Read(h, []byte(body))
		wantF, wantDecoded := Fields([]byte(body))
		require.Equal(rt, Code(h, []byte(body)), code, "code of %q", body)
		require.Equal(rt, wantDecoded, decoded, "decoded %q", body)
		require.Equal(rt, wantF, f, "fields of %q", body)
	})
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ","
		}
		out += p
	}
	return out
}
