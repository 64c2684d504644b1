package specs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/internal/sdkmodel"
	"github.com/orgconform/orgconform/specs"
)

func TestSDKSpecLoads(t *testing.T) {
	sdk := specs.Must().SDK
	assert.True(t, sdkmodel.ValidVersion(sdk.OldestSupported.Version))
	assert.NotEmpty(t, sdk.OutOfScope)
	require.NotEmpty(t, sdk.ErrorMatching)
	assert.Equal(t, sdk.OldestSupported.Version, sdk.ErrorMatching[0].Since, "the first errorMatching entry covers the oldest supported version")
	for _, e := range sdk.OutOfScope {
		assert.NotEmpty(t, e.Note, e.Name)
		assert.Equal(t, "out of scope", specs.Must().Classification(e.Name))
	}
	assert.Equal(t, "in scope", specs.Must().Classification("HandshakeNotFoundException"))
	assert.Equal(t, "", specs.Must().Classification("NoSuchException"))
}

func TestSDKSpecRejectsBadEntries(t *testing.T) {
	for _, c := range []struct{ old, repl, want string }{
		{`"version": "v1.20.0"`, `"version": "1.20"`, `version "1.20" is not of the form vMAJOR.MINOR.PATCH`},
		{`"scope": "service"`, `"scope": "global"`, `scope "global"`},
		{`"name": "PolicyInUseException"`, `"name": "HandshakeNotFoundException"`, "HandshakeNotFoundException is both out of scope and in errors.json"},
	} {
		_, err := specs.Parse(modifiedFS(t, "sdk.json", c.old, c.repl))
		assert.ErrorContains(t, err, c.want)
	}
}
