package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/orgconform/orgconform/reftarget"
)

// faultsUsage is runner faults' one-line usage.
const faultsUsage = "usage: runner faults    list the reference target's faults and equivalent variants, one a line"

// faultsCmd lists the reference target's fault catalogue, then its
// equivalent variants, one a line: the name, the kind, then the contract
// point it breaks (for a variant, the choice it makes) and its source.
// "runner --fault NAME" and "runner serve --fault NAME" plant one.
func faultsCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runner faults", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(stdout, faultsUsage, fs)
			return 0
		}
		fmt.Fprintf(stderr, "runner faults: %v (%s)\n", err, faultsUsage)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "runner faults: unexpected argument %q (%s)\n", fs.Arg(0), faultsUsage)
		return 2
	}
	width := 0
	all := append(reftarget.Faults(), reftarget.Variants()...)
	for _, f := range all {
		width = max(width, len(f.Name))
	}
	for _, f := range all {
		fmt.Fprintf(stdout, "%-*s  %-11s  %s (source: %s)\n", width, f.Name, f.Kind, oneLine(f.Point), oneLine(f.Source))
	}
	return 0
}

// oneLine joins s's lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// faultOptions returns the reference target's options for --fault NAME:
// a fault or an equivalent variant of the catalogue.
func faultOptions(name string) (reftarget.Options, error) {
	for _, f := range reftarget.Faults() {
		if f.Name == name {
			return reftarget.Options{Fault: name}, nil
		}
	}
	for _, v := range reftarget.Variants() {
		if v.Name == name {
			return reftarget.Options{Variant: name}, nil
		}
	}
	return reftarget.Options{}, fmt.Errorf("--fault %q: no such fault or variant (runner faults lists them)", name)
}
