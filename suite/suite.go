// Package suite is the default run: the written checks of package
// contract, then the generated properties of package fuzz. The runner, the
// mutation score and the benchmarks all run this one list.
package suite

import (
	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/fuzz"
)

// Default returns the checks of the default run, in run order: the
// written checks, the properties, then the run-wide checks that judge
// every answer the others provoked (properties' included).
func Default() []check.Check {
	written := contract.Checks()
	i := len(written)
	for i > 0 && written[i-1].After {
		i--
	}
	out := append([]check.Check(nil), written[:i]...)
	out = append(out, fuzz.Checks()...)
	return append(out, written[i:]...)
}
