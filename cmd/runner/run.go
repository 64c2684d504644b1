package main

import (
	"fmt"
	"io"

	"github.com/orgconform/orgconform/specs"
)

// runCmd runs the contract checks. (Placeholder until the conformance run lands.)
func runCmd(args []string, stdout, stderr io.Writer) int {
	c, err := specs.Load()
	if err != nil {
		fmt.Fprintf(stderr, "runner: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "contract loaded: %d operations, %d transition rows\n", len(c.Operations), len(c.Transitions))
	return 0
}
