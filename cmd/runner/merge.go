package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/report"
	"github.com/orgconform/orgconform/suite"
)

const mergeUsage = "usage: runner merge [flags] REPORT.json...   combine the JSON reports of a run's shards into one verdict"

// mergeCmd combines shard reports (runner --shard K/N --json ...) into one
// report, written with the same report flags as a run, and one exit
// status: 0 the merged run passed, 1 it did not, 2 bad usage or a file
// that is not a report.
func mergeCmd(args []string, stdout, stderr io.Writer) int {
	f := &runFlags{}
	fs := flag.NewFlagSet("runner merge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.jsonPath, "json", "", "write the merged JSON report to this file (- for stdout)")
	fs.StringVar(&f.junitPath, "junit", "", "write merged JUnit XML to this file (- for stdout)")
	fs.StringVar(&f.markdownPath, "markdown", "", "write the merged markdown summary to this file (- for stdout)")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the capabilities, the failures and the summary")
	fs.BoolVar(&f.allowUnsupported, "allow-unsupported", false, "do not count unsupported checks as failures")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(stdout, mergeUsage, fs)
		return 0
	}
	if err != nil {
		return usage(stderr, err)
	}
	if fs.NArg() == 0 {
		return usage(stderr, errors.New("merge: give the JSON reports of the shards"))
	}
	for _, arg := range fs.Args() {
		if strings.HasPrefix(arg, "-") && arg != "-" {
			return usage(stderr, fmt.Errorf("merge: %s after the reports: flags go before them (runner merge [flags] REPORT.json...)", arg))
		}
	}
	var reps []*check.Report
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			return usage(stderr, fmt.Errorf("merge: %v", err))
		}
		rep, err := report.ReadJSON(data)
		if err != nil {
			return usage(stderr, fmt.Errorf("merge: %s: %v", path, err))
		}
		reps = append(reps, rep)
	}
	var order []string
	for _, c := range suite.Default() {
		order = append(order, c.ID)
	}
	merged, err := report.Merge(reps, order)
	if err != nil {
		return usage(stderr, fmt.Errorf("merge: %v", err))
	}
	outputs, err := openOutputs(f, stdout)
	if err != nil {
		return usage(stderr, err)
	}
	defer outputs.close()
	console := stdout
	if outputs.usesStdout() {
		console = stderr
	}
	ropts := report.Options{AllowUnsupported: f.allowUnsupported, Quiet: f.quiet}
	fmt.Fprintf(console, "orgconform: merged %d reports\n\n", len(reps))
	report.WriteConsole(console, merged, ropts)
	if err := outputs.write(merged, ropts); err != nil {
		return usage(stderr, err)
	}
	if !report.Passed(merged, ropts) {
		return 1
	}
	return 0
}
