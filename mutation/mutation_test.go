package mutation_test

import (
	"flag"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/orgconform/orgconform/mutation"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/suite"
)

var update = flag.Bool("update", false, "rewrite the mutation-score table in README.md")

// The markers around the table in README.md.
const (
	beginMarker = "<!-- mutation-score:begin (go test ./mutation -run TestMutationScore -update) -->\n"
	endMarker   = "<!-- mutation-score:end -->\n"
)

// TestMutationScore runs the default run against every fault of the
// reference target's catalogue and every equivalent variant, several at a
// time: every fault must be caught (the run fails, and every check tied to
// the fault fails), every variant must pass. It prints the table of
// faults, first failing check and requests until detection, which
// README.md carries (-update rewrites it; otherwise the test compares).
func TestMutationScore(t *testing.T) {
	start := time.Now()
	outcomes := mutation.Run(t.Context(), mutation.Options{
		Checks: suite.Default(), Workers: max(4, 4*runtime.GOMAXPROCS(0)), Parallel: 1, Seed: 1,
	})
	if got, want := len(outcomes), len(reftarget.Faults())+len(reftarget.Variants()); got != want {
		t.Fatalf("%d outcomes for %d faults and variants", got, want)
	}
	slowest := outcomes[0]
	for _, o := range outcomes {
		if p := o.Problem(); p != "" {
			t.Error(p)
		}
		if o.Elapsed > slowest.Elapsed {
			slowest = o
		}
	}
	t.Logf("slowest run: %s, %s", slowest.Fault.Name, slowest.Elapsed.Round(time.Millisecond))
	byProperty := map[string]int{}
	for _, o := range outcomes {
		for _, id := range o.Properties {
			byProperty[id]++
		}
	}
	t.Logf("faults the properties met in this run (their examples are drawn at random, so the table leaves them out): %v", byProperty)
	table := mutation.Table(outcomes)
	t.Logf("mutation score, %d faults and %d variants in %s:\n%s", len(reftarget.Faults()), len(reftarget.Variants()), time.Since(start).Round(time.Second), table)
	compareReadme(t, table)
}

// compareReadme compares the table between the markers of ../README.md
// with table, or writes it there with -update.
func compareReadme(t *testing.T, table string) {
	t.Helper()
	const path = "../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	before, rest, ok1 := strings.Cut(readme, beginMarker)
	old, after, ok2 := strings.Cut(rest, endMarker)
	if !ok1 || !ok2 {
		t.Fatalf("README.md lacks the markers %q … %q", strings.TrimSpace(beginMarker), strings.TrimSpace(endMarker))
	}
	if *update {
		if err := os.WriteFile(path, []byte(before+beginMarker+table+endMarker+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(old, table); diff != "" {
		t.Errorf("README.md's mutation-score table is out of date (go test ./mutation -run TestMutationScore -update rewrites it) (-README +generated):\n%s", diff)
	}
}
