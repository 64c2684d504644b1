// Package suite is the default run: the written checks of package
// contract, then the generated properties of package fuzz. The runner, the
// mutation score and the benchmarks all run this one list.
package suite

import (
	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/contract"
)

// Default returns the checks of the default run, in run order.
func Default() []check.Check {
	return contract.Checks()
}
