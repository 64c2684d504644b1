package sdkmodel

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An SDK without schema-based serde: error types and enums only.
const oldErrors = `package types

import smithy "github.com/aws/smithy-go"

type FooException struct {
	Message *string
	ErrorCodeOverride *string
	Reason FooExceptionReason
}

func (e *FooException) ErrorCode() string {
	if e == nil || e.ErrorCodeOverride == nil {
		return "FooException"
	}
	return *e.ErrorCodeOverride
}
func (e *FooException) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

type BarFault struct{ Message *string }

func (e *BarFault) ErrorCode() string { return "BarFault" }
func (e *BarFault) ErrorFault() smithy.ErrorFault { return smithy.FaultServer }

type NotAnError struct{}
`

const oldEnums = `package types

type FooExceptionReason string

const (
	FooExceptionReasonA FooExceptionReason = "A"
	FooExceptionReasonB FooExceptionReason = "B"
)

const untyped = "x"
`

func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
	return dir
}

func TestReadOldLayout(t *testing.T) {
	m, err := Read(writeModule(t, map[string]string{"types/errors.go": oldErrors, "types/enums.go": oldEnums}))
	require.NoError(t, err)
	assert.Equal(t, []Exception{
		{Name: "BarFault", Code: "BarFault", Fault: "server"},
		{Name: "FooException", Code: "FooException", Fault: "client", ReasonEnum: "FooExceptionReason"},
	}, m.Exceptions)
	assert.Nil(t, m.Registry)
	assert.Equal(t, []string{"BarFault", "FooException"}, m.Names(), "without a type registry the error types are the registry")
	assert.Equal(t, map[string][]string{"FooExceptionReason": {"A", "B"}}, m.Enums)
	assert.False(t, m.HasSchemas())
}

func TestReadRegistryAndSchemas(t *testing.T) {
	m, err := Read(writeModule(t, map[string]string{
		"types/errors.go": oldErrors, "types/enums.go": oldEnums,
		"type_registry.go": `package organizations
var TypeRegistry = &smithy.TypeRegistry{Entries: map[string]*smithy.TypeRegistryEntry{
	"com.amazonaws.organizations#FooException": {New: func() any { return nil }},
}}`,
		"schemas/schemas.go": `package schemas
var FooException = smithy.NewSchema(smithy.ShapeID{
	Namespace: "com.amazonaws.organizations",
	Name:      "FooException",
}, smithy.ShapeTypeStructure, 1, &smithytraits.Error{Type: "client"},
	&smithytraits.HTTPError{Code: 409})`,
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{"FooException"}, m.Names(), "the type registry wins over the error types")
	foo, ok := m.Exception("FooException")
	require.True(t, ok)
	assert.Equal(t, 409, foo.HTTPStatus)
	assert.True(t, m.HasSchemas())
}

func TestReadFailsWithoutErrorTypes(t *testing.T) {
	_, err := Read(writeModule(t, map[string]string{"types/errors.go": "package types\n", "types/enums.go": oldEnums}))
	assert.ErrorContains(t, err, "no error types found")
	_, err = Read(t.TempDir())
	assert.ErrorContains(t, err, "errors.go")
}

// The SDK in go.mod, read from the module cache.
func TestInModule(t *testing.T) {
	m, version, err := InModule(context.Background(), ".")
	require.NoError(t, err)
	assert.Regexp(t, `^v1\.\d+\.\d+$`, version)
	svc, ok := m.Exception("ServiceException")
	require.True(t, ok)
	assert.Equal(t, "server", svc.Fault)
	hcv, ok := m.Exception("HandshakeConstraintViolationException")
	require.True(t, ok)
	assert.Equal(t, "HandshakeConstraintViolationExceptionReason", hcv.ReasonEnum)
	assert.Contains(t, m.Enums["ActionType"], "INVITE")
	assert.Contains(t, m.Names(), "HandshakeNotFoundException")
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"v1.9.0", "v1.10.0", -1},
		{"v1.62.8", "v1.62.8", 0},
		{"v1.63.0", "v1.62.8", 1},
		{"v2.0.0", "v1.99.99", 1},
		{"1.2.3", "v0.0.1", -1},
	} {
		assert.Equal(t, c.want, CompareVersions(c.a, c.b), "%s vs %s", c.a, c.b)
	}
	for _, v := range []string{"v1.2", "1.2.3", "v1.2.3-rc1", "v1.02.3", "v1.2.3.4", "latest", "v1.-2.3", ""} {
		assert.False(t, ValidVersion(v), v)
	}
	assert.True(t, ValidVersion("v1.62.8"))
}
