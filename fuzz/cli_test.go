package fuzz

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runSh runs script with a fake aws and curl that print their arguments,
// one a line.
func runSh(t *testing.T, script string) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	fake := `aws() { for a in "$@"; do printf '%s\n' "$a"; done; }; curl() { for a in "$@"; do printf '%s\n' "$a"; done; }; `
	out, err := exec.Command("sh", "-c", fake+script).CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

// TestCLILineReplaysWithVariables: the ids a scenario made become the
// script's variables, quoted so that sh passes the body intact.
func TestCLILineReplaysWithVariables(t *testing.T) {
	vars := map[string]string{"h-abcdefgh12": "H1", "111111111111": "RECIPIENT_1"}
	line := cliLine("MANAGEMENT_1", "InviteAccountToOrganization", []byte(`{"Target":{"Id":"111111111111","Type":"ACCOUNT"},"Notes":"it's h-abcdefgh12"}`), vars, "Handshake.Id")
	assert.Contains(t, line, "AWS_ACCESS_KEY_ID=$MANAGEMENT_1 aws organizations invite-account-to-organization")
	out := runSh(t, `RECIPIENT_1=222222222222 MANAGEMENT_1=333333333333 ENDPOINT=http://x; `+line)
	assert.Contains(t, out, `{"Target":{"Id":"222222222222","Type":"ACCOUNT"},"Notes":"it's h-abcdefgh12"}`+"\n", "only whole JSON strings are replaced")
	assert.Contains(t, out, "--query\nHandshake.Id\n--output\ntext\n")

	out = runSh(t, `H1=h-zzzzzzzz99; ENDPOINT=http://x; `+cliLine("RECIPIENT_1", "AcceptHandshake", []byte(`{"HandshakeId":"h-abcdefgh12"}`), vars, ""))
	assert.Contains(t, out, `{"HandshakeId":"h-zzzzzzzz99"}`)
	assert.Equal(t, "describe-organization", kebab("DescribeOrganization"))
}

// TestCurlLineSendsTheBodyByteForByte: the input property's replay sends
// exactly the body it sent, quotes and all.
func TestCurlLineSendsTheBodyByteForByte(t *testing.T) {
	body := `{"HandshakeId":"h-'x'\u00e9"}` + "\n"
	out := runSh(t, `ENDPOINT=http://x AWS_DEFAULT_REGION=us-east-1 OUTSIDER_1=1 AWS_SECRET_ACCESS_KEY=s; `+curlLine("OUTSIDER_1", "DescribeHandshake", []byte(body)))
	assert.True(t, strings.Contains(out, "--data-binary\n"+body), out)
	assert.Contains(t, out, "X-Amz-Target: AWSOrganizationsV20161128.DescribeHandshake\n")
	assert.Contains(t, out, "aws:amz:us-east-1:organizations\n")
}
