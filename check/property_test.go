package check

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestPropertyCounterexample: a property that fails for ids longer than 3
// characters is shrunk to the shortest, and the check carries its steps,
// replay script and seed.
func TestPropertyCounterexample(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	checks := []Check{{ID: "property/x", Group: "property", Run: func(ct *T) {
		ct.Property(func(rt *rapid.T, rec *Recorder) {
			n := rapid.IntRange(0, 20).Draw(rt, "n")
			body, _ := json.Marshal(map[string]string{"HandshakeId": strings.Repeat("a", n)})
			r := ct.Send(ct.Principal("o"), "AcceptHandshake", body)
			rec.Step(fmt.Sprintf("AcceptHandshake of a %d-character id", n), r, fmt.Sprintf("aws organizations accept-handshake --handshake-id %s --endpoint-url $ENDPOINT", strings.Repeat("a", n)))
			if n > 3 {
				rt.Fatalf("ids of %d characters break it", n)
			}
		})
	}}}
	rep := Execute(context.Background(), tgt, checks, Options{})
	res := rep.Results[0]
	require.Equal(t, Fail, res.Status, res.Observed)
	assert.Contains(t, res.Observed, "ids of 4 characters break it", "shrunk to the smallest failing example")
	require.NotNil(t, res.Counterexample)
	require.Len(t, res.Counterexample.Steps, 1)
	assert.True(t, strings.HasPrefix(res.Counterexample.Steps[0], "#1 AcceptHandshake of a 4-character id\nPOST "), res.Counterexample.Steps[0])
	assert.Contains(t, res.Counterexample.Replay, "aws organizations accept-handshake --handshake-id aaaa --endpoint-url $ENDPOINT")
	assert.Regexp(t, `^-?\d+$`, res.Counterexample.Seed)
	assert.Contains(t, res.Counterexample.Command, "--seed "+res.Counterexample.Seed)
}

func TestPropertyPasses(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	rep := Execute(context.Background(), tgt, []Check{{ID: "property/ok", Group: "property", Run: func(ct *T) {
		ct.Property(func(rt *rapid.T, rec *Recorder) { rapid.IntRange(0, 5).Draw(rt, "n") })
	}}}, Options{})
	assert.Equal(t, Pass, rep.Results[0].Status, rep.Results[0].Observed)
	assert.Nil(t, rep.Results[0].Counterexample)
}

// TestPropertyFailureSurvivesAVerdictWhileShrinking: once an example has
// failed, a verdict reached by a variant rapid tries while shrinking (a
// setup step refused, a skip) means only that the variant does not
// reproduce the failure; the check still fails with the counterexample.
func TestPropertyFailureSurvivesAVerdictWhileShrinking(t *testing.T) {
	var f fake
	tgt := f.target(t, notFound)
	failedOnce := false
	rep := Execute(context.Background(), tgt, []Check{{ID: "property/shrink-verdict", Group: "property", Run: func(ct *T) {
		ct.Property(func(rt *rapid.T, rec *Recorder) {
			n := rapid.IntRange(0, 100).Draw(rt, "n")
			if failedOnce && n%2 == 1 {
				ct.Skipf("setup refused: %d", n)
			}
			if n > 10 {
				failedOnce = true
				rt.Fatalf("%d is more than 10", n)
			}
		})
	}}}, Options{})
	res := rep.Results[0]
	assert.Equal(t, Fail, res.Status, "%s: %s", res.Cause, res.Observed)
	assert.Contains(t, res.Observed, "is more than 10")
	assert.NotNil(t, res.Counterexample)
}
