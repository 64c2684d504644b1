package reftarget_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/reftarget"
)

// TestCatalogue: at least 40 faults over every kind of contract point,
// each with its point, source and tied checks (valid, anchored regular
// expressions); variants with no tied checks; every name unique.
func TestCatalogue(t *testing.T) {
	faults, variants := reftarget.Faults(), reftarget.Variants()
	assert.GreaterOrEqual(t, len(faults), 40)
	kinds := map[string]int{}
	names := map[string]bool{}
	for _, f := range append(faults, variants...) {
		assert.False(t, names[f.Name], "duplicate name %s", f.Name)
		names[f.Name] = true
		assert.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, f.Name)
		assert.NotEmpty(t, f.Point, f.Name)
		assert.NotEmpty(t, f.Source, f.Name)
	}
	for _, f := range faults {
		kinds[f.Kind]++
		require.NotEmpty(t, f.Tied, "%s ties no check", f.Name)
		for _, p := range f.Tied {
			_, err := regexp.Compile(p)
			assert.NoError(t, err, f.Name)
			assert.Regexp(t, `^\^`, p, "%s: tied patterns are anchored", f.Name)
		}
	}
	for _, kind := range []string{"state", "input", "errors", "access", "effects", "shape", "protocol", "concurrency", "time"} {
		assert.Positive(t, kinds[kind], "no fault of kind %s", kind)
	}
	assert.Len(t, kinds, 9, "kinds: %v", kinds)
	for _, v := range variants {
		assert.Equal(t, "variant", v.Kind, v.Name)
		assert.Empty(t, v.Tied, v.Name)
	}
}

// TestPlantingIsChecked: every fault and variant builds a target that
// answers; an unknown name, or a fault given as a variant (and the other
// way round), is an error.
func TestPlantingIsChecked(t *testing.T) {
	for _, f := range reftarget.Faults() {
		serves(t, reftarget.Options{Fault: f.Name})
	}
	for _, v := range reftarget.Variants() {
		serves(t, reftarget.Options{Variant: v.Name})
	}
	f, v := reftarget.Faults()[0].Name, reftarget.Variants()[0].Name
	for _, o := range []reftarget.Options{{Fault: "no-such-fault"}, {Variant: "no-such-variant"}, {Fault: v}, {Variant: f}} {
		_, err := reftarget.NewChecked(o)
		assert.Error(t, err, "%+v", o)
		assert.Panics(t, func() { reftarget.New(o) })
	}
}

// serves builds a target with opts and checks that it answers an API call.
func serves(t *testing.T, opts reftarget.Options) {
	t.Helper()
	srv := httptest.NewServer(reftarget.New(opts))
	defer srv.Close()
	tg := &target{t: t, url: srv.URL}
	_, err := tg.client(mgmtAcct).ListHandshakesForAccount(ctx(t), nil)
	assert.NoError(t, err, "%+v", opts)
	resp, err := http.Get(srv.URL + "/_orgconform/info")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestFaultsChangeAnswers: a few faults seen directly through the SDK, so
// that the catalogue is not only measured through the checks.
func TestFaultsChangeAnswers(t *testing.T) {
	accept := func(opts reftarget.Options) (first, second error) {
		srv := httptest.NewServer(reftarget.New(opts))
		defer srv.Close()
		tg := &target{t: t, url: srv.URL}
		tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
		in := &organizations.AcceptHandshakeInput{HandshakeId: tg.invite(mgmtAcct, recipientAcct).Id}
		_, first = tg.client(recipientAcct).AcceptHandshake(ctx(t), in)
		_, second = tg.client(recipientAcct).AcceptHandshake(ctx(t), in)
		return first, second
	}
	first, second := accept(reftarget.Options{})
	require.NoError(t, first)
	assert.Equal(t, "HandshakeAlreadyInStateException", errCode(second))

	first, second = accept(reftarget.Options{Fault: "accept-accepted-again"})
	require.NoError(t, first)
	assert.NoError(t, second, "the planted fault accepts twice")

	first, second = accept(reftarget.Options{Fault: "already-in-state-as-not-found"})
	require.NoError(t, first)
	assert.Equal(t, "HandshakeNotFoundException", errCode(second))

	first, second = accept(reftarget.Options{Variant: "error-code-in-header"})
	require.NoError(t, first)
	assert.Equal(t, "HandshakeAlreadyInStateException", errCode(second), "the SDK reads the header's code")
}

// TestUncheckedMaxResultsAllocatesLittle: with max-results-unchecked
// planted, a huge MaxResults is honoured as a page size, but a page takes
// the memory of what it lists, not of what the caller asked for (a
// MaxResults of 2^31-1 once made the target allocate 16 GiB).
func TestUncheckedMaxResultsAllocatesLittle(t *testing.T) {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{Fault: "max-results-unchecked"}))
	defer srv.Close()
	tg := &target{t: t, url: srv.URL}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := tg.raw(recipientAcct, "ListHandshakesForAccount", []byte(`{"MaxResults": 2147483647}`))
	runtime.ReadMemStats(&after)
	require.Equal(t, http.StatusOK, r.status, "%v", r.body)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated for an empty page")
}
