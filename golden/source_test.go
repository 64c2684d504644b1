package golden_test

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/specs"
)

// Every operation in scope has a sample, or is in opsWithoutExample with
// the reason it has none (TestExampleGoldens checks the reason against
// examples-1.json).
func TestEveryOperationInScopeHasASampleOrAReason(t *testing.T) {
	ops, err := golden.Operations()
	require.NoError(t, err)
	have := map[string]bool{}
	for _, op := range ops {
		have[op] = true
	}
	n := 0
	for _, op := range specs.Must().Operations {
		n++
		if reason, skip := opsWithoutExample[op.Name]; skip {
			assert.NotEmpty(t, reason, op.Name)
			assert.False(t, have[op.Name], "%s has a sample but is listed without example", op.Name)
			_, err := golden.Sample(op.Name)
			assert.Error(t, err, op.Name)
			continue
		}
		assert.True(t, have[op.Name], "%s has no sample and no reason in opsWithoutExample", op.Name)
	}
	assert.Equal(t, n, len(ops)+len(opsWithoutExample))
	for op := range have {
		_, inScope := specs.Must().Operation(op)
		assert.True(t, inScope, "sample for %s, which specs/operations.json does not list", op)
	}
}

// Every sample has its source; every source record with a stem has its
// files; every path in a record points where it says.
func TestSourcesDescribeEverySample(t *testing.T) {
	ops, err := golden.Operations()
	require.NoError(t, err)
	for _, op := range ops {
		src, err := golden.LoadSource(op)
		require.NoError(t, err, op)
		assert.Equal(t, op, src.Operation)
		stems, err := golden.SampleStems(op)
		require.NoError(t, err, op)
		for _, stem := range stems {
			_, ok := src.Sample(stem)
			assert.True(t, ok, "%s/%s has no record in source.json", op, stem)
		}
		for _, smp := range src.Samples {
			assert.Contains(t, []string{"reference", "model"}, smp.Source, op)
			assert.NotEmpty(t, smp.File, op)
			if smp.Stem == "" {
				assert.NotEmpty(t, smp.NotAGolden, "%s: a record without files says why", op)
				continue
			}
			assert.Contains(t, stems, smp.Stem, "%s: source.json names a sample with no files", op)
			if smp.Source == "model" {
				assert.NotEmpty(t, smp.Example, "%s/%s: which example", op, smp.Stem)
				assert.Len(t, smp.SHA256, 64, "%s/%s", op, smp.Stem)
			}
			resp, err := golden.Read(op + "/" + smp.Stem + ".response.http")
			require.NoError(t, err)
			for _, c := range smp.Conversions {
				v, err := golden.Lookup(resp.Body, c.Path)
				if assert.NoError(t, err, "%s/%s conversion", op, smp.Stem) {
					assert.Equal(t, c.Wire, string(v), "%s/%s: %s", op, smp.Stem, c.Path)
				}
			}
			for _, d := range smp.Defects {
				_, err := golden.Lookup(resp.Body, d.Path)
				if d.Comparison == golden.TreatExtraNote {
					assert.Error(t, err, "%s/%s: %s is recorded missing", op, smp.Stem, d.Path)
					parent := d.Path[:strings.LastIndex(d.Path, ".")+1]
					_, err = golden.Lookup(resp.Body, strings.TrimSuffix(parent, "."))
				}
				assert.NoError(t, err, "%s/%s: defect at %s", op, smp.Stem, d.Path)
				assert.NotEmpty(t, d.Detail)
			}
		}
	}
}

func TestSampleAPI(t *testing.T) {
	ops, err := golden.Operations()
	require.NoError(t, err)
	assert.Contains(t, ops, "AcceptHandshake")
	assert.Contains(t, ops, "ListAccounts")
	assert.NotContains(t, ops, "DeleteOrganization")

	m, err := golden.Sample("DescribeHandshake")
	require.NoError(t, err)
	assert.Equal(t, 200, m.StatusCode)
	assert.Contains(t, string(m.Body), `"State": "OPEN"`)
	req, err := golden.SampleRequest("InviteAccountToOrganization")
	require.NoError(t, err)
	assert.Equal(t, "AWSOrganizationsV20161128.InviteAccountToOrganization", req.Header.Get("X-Amz-Target"))

	stems, err := golden.SampleStems("CreateOrganization")
	require.NoError(t, err)
	assert.Equal(t, []string{"sample", "sample-consolidated-billing"}, stems)
	stems, err = golden.SampleStems("AcceptHandshake")
	require.NoError(t, err)
	assert.Equal(t, []string{"sample"}, stems)

	_, err = golden.Sample("NoSuchOperation")
	assert.Error(t, err)
	_, err = golden.SampleStems("NoSuchOperation")
	assert.Error(t, err)
	_, err = golden.LoadSource("NoSuchOperation")
	assert.Error(t, err)
	_, err = golden.CompareSample("NoSuchOperation", []byte(`{}`))
	assert.Error(t, err)
	_, err = golden.CompareSampleStem("CreateOrganization", "sample-nothing", []byte(`{}`))
	assert.Error(t, err)
}

// The layout other tools discover by listing the FS: every operation folder
// has sample.request.http, sample.response.http, expectations.json and
// source.json.
func TestLayoutIsRegular(t *testing.T) {
	ops, err := golden.Operations()
	require.NoError(t, err)
	for _, op := range ops {
		for _, f := range []string{"sample.request.http", "sample.response.http", "expectations.json", "source.json"} {
			_, err := fs.Stat(golden.FS(), op+"/"+f)
			assert.NoError(t, err, "%s/%s", op, f)
		}
	}
}

func TestLookup(t *testing.T) {
	m, err := golden.Sample("AcceptHandshake")
	require.NoError(t, err)
	for path, want := range map[string]string{
		"Handshake.State":                  `"ACCEPTED"`,
		"Handshake.Parties[Type=EMAIL].Id": `"juan@example.com"`,
		"Handshake.Parties[1].Type":        `"EMAIL"`,
		"Handshake.Resources[Type=ORGANIZATION].Resources[Type=MASTER_NAME].Value": `"Org management account"`,
		"Handshake.RequestedTimestamp":                                             `1481656459.257`,
	} {
		got, err := golden.Lookup(m.Body, path)
		if assert.NoError(t, err, path) {
			assert.Equal(t, want, string(got), path)
		}
	}
	whole, err := golden.Lookup(m.Body, "")
	require.NoError(t, err)
	assert.True(t, json.Valid(whole))
	for _, bad := range []string{"Handshake.Nope", "Handshake.Parties[7]", "Handshake.Parties[Type=ACCOUNT]", "Handshake.State[0]", "Handshake..State", "Handshake.Parties[Kind=EMAIL]"} {
		_, err := golden.Lookup(m.Body, bad)
		assert.Error(t, err, bad)
	}
	_, err = golden.Lookup([]byte("<html>"), "")
	assert.Error(t, err)
}
