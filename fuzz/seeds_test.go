package fuzz

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/inputgen"
)

var writeSeeds = flag.Bool("write-seeds", false, "write the generated seed corpora of the FuzzRequestBody targets into testdata/fuzz")

// requestBodyTargets are the operations with a FuzzRequestBody target.
var requestBodyTargets = []string{
	"AcceptHandshake", "DeclineHandshake", "CancelHandshake", "DescribeHandshake",
	"ListHandshakesForAccount", "ListHandshakesForOrganization", "ListAccounts",
}

// seedsPerTarget is how many valid and broken bodies are drawn for the
// committed corpus of each FuzzRequestBody target; bodies over maxSeedSize
// (a NextToken at its 100000-rune maximum) are left out: the fuzzer mutates
// small inputs best, and InputProperty sends the long ones.
const (
	seedsPerTarget = 32
	maxSeedSize    = 8 << 10
)

// TestWriteSeedCorpus writes, with -write-seeds, valid and broken bodies
// drawn from inputgen into testdata/fuzz/FuzzRequestBody<Op>/, where go
// test runs them as seeds:
//
//	go test ./fuzz -run TestWriteSeedCorpus -write-seeds
func TestWriteSeedCorpus(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -write-seeds to rewrite testdata/fuzz")
	}
	for _, op := range requestBodyTargets {
		dir := filepath.Join("testdata", "fuzz", "FuzzRequestBody"+op)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		valid, broken := inputgen.Valid(op), inputgen.Broken(op)
		for i := range seedsPerTarget {
			for _, body := range [][]byte{valid.Example(1000 + i), broken.Example(1000 + i).Body} {
				if len(body) > maxSeedSize {
					continue
				}
				sum := sha256.Sum256(body)
				name := filepath.Join(dir, "gen-"+hex.EncodeToString(sum[:8]))
				require.NoError(t, os.WriteFile(name, []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", body)), 0o644))
			}
		}
	}
}

// TestEveryRequestBodyTargetHasACorpus keeps the committed corpora and the
// targets in step.
func TestEveryRequestBodyTargetHasACorpus(t *testing.T) {
	for _, op := range requestBodyTargets {
		_, err := inputgen.For(op)
		require.NoError(t, err)
		files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzRequestBody"+op, "gen-*"))
		require.NoError(t, err)
		require.NotEmpty(t, files, "no committed seeds for FuzzRequestBody%s: go test ./fuzz -run TestWriteSeedCorpus -write-seeds", op)
	}
}
