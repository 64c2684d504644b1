package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/sdkcheck"
	"github.com/orgconform/orgconform/specs"
)

// sdkUsage is the first line of `runner sdk --help`.
const sdkUsage = "usage: runner sdk [flags] VERSION[,VERSION…]"

// sdkCmd replays every golden through each given aws-sdk-go-v2
// service/organizations version and compares them:
//
//	runner sdk v1.48.0,v1.57.0,v1.62.8
//
// Exit status: 0 every version decodes every golden as expected; 1 a
// difference (an unclassified exception and an unrecorded change of error
// matching included); 2 bad usage, no go command, or a version that could
// not be downloaded or built — with a one-line message on stderr.
func sdkCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return sdkRun(ctx, args, stdout, stderr)
}

// sdkFlags are the flags of runner sdk.
type sdkFlags struct {
	jsonPath string
	timeout  time.Duration
	parallel int
	goCmd    string
	versions []string
}

func newSDKFlagSet(f *sdkFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("runner sdk", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&f.jsonPath, "json", "", "write the JSON report to this file (- for stdout, instead of the tables)")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Minute, "deadline for each version: download, build and replay")
	fs.IntVar(&f.parallel, "parallel", 2, "how many versions to build at once")
	fs.StringVar(&f.goCmd, "go", "go", "the go command that builds each version (needs the Go module proxy for versions not in the module cache)")
	return fs
}

// sdkHelp writes the help: usage, what it does, the oldest supported SDK
// version and the flags.
func sdkHelp(w io.Writer) {
	oldest := specs.Must().SDK.OldestSupported.Version
	fmt.Fprintf(w, `%s

Replays every golden (each error golden in every wire form of its type) and
probes of error matching through each github.com/aws/aws-sdk-go-v2/service/organizations
VERSION, built in a throwaway module with the go command, and prints a table
per golden: expected vs what each version decodes (type, code, message,
reason, fault; output values; the request sent), the error matching (case
sensitivity, per-operation or service-wide), the exceptions of each
version's registry that specs/ does not classify, and every difference.

VERSION is vMAJOR.MINOR.PATCH, %s or newer (the oldest supported).
Exit status: 0 as expected, 1 a difference, 2 bad usage or a version that
could not be downloaded or built.

flags:
`, sdkUsage, oldest)
	var f sdkFlags
	fs := newSDKFlagSet(&f)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// parseSDKFlags reads flags and versions; versions may be comma-separated,
// spread over several arguments, and come before or after the flags.
func parseSDKFlags(args []string) (*sdkFlags, error) {
	f := &sdkFlags{}
	fs := newSDKFlagSet(f)
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		for _, v := range strings.Split(fs.Arg(0), ",") {
			if v = strings.TrimSpace(v); v != "" {
				f.versions = append(f.versions, v)
			}
		}
		args = fs.Args()[1:]
	}
	switch {
	case len(f.versions) == 0:
		return nil, fmt.Errorf("no SDK version given (%s, e.g. runner sdk v1.48.0,v1.62.8)", sdkUsage)
	case f.timeout <= 0:
		return nil, fmt.Errorf("--timeout must be positive, got %s", f.timeout)
	case f.parallel <= 0:
		return nil, fmt.Errorf("--parallel must be positive, got %d", f.parallel)
	}
	return f, nil
}

// sdkRun is sdkCmd with the interrupt as a context, for tests.
func sdkRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseSDKFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		sdkHelp(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "runner sdk: %s\n", firstLine(err.Error()))
		return 2
	}
	c := specs.Must()
	if err := sdkcheck.CheckVersions(c, f.versions); err != nil {
		fmt.Fprintf(stderr, "runner sdk: %s\n", firstLine(err.Error()))
		return 2
	}
	cases, err := sdkcheck.Cases(golden.FS(), c)
	if err != nil {
		fmt.Fprintf(stderr, "runner sdk: %s\n", firstLine(err.Error()))
		return 2
	}
	out, err := newPending("--json", f.jsonPath, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "runner sdk: %s\n", firstLine(err.Error()))
		return 2
	}
	defer discard(out)

	rep, err := sdkcheck.Run(ctx, sdkcheck.Options{
		Versions: f.versions, Timeout: f.timeout, Parallel: f.parallel, Go: f.goCmd,
		Progress: stderr, Contract: c,
	}, cases)
	if err != nil {
		fmt.Fprintf(stderr, "runner sdk: %s\n", firstLine(err.Error()))
		return 2
	}
	if f.jsonPath != "-" { // "-": the JSON report alone on stdout
		if err := rep.WriteText(stdout); err != nil {
			fmt.Fprintf(stderr, "runner sdk: %s\n", firstLine(err.Error()))
			return 2
		}
	}
	if err := out.commit(rep.WriteJSON); err != nil {
		fmt.Fprintf(stderr, "runner sdk: %s\n", firstLine(err.Error()))
		return 2
	}
	if rep.Failed() {
		return 1
	}
	return 0
}

// discard removes a report file that was never committed.
func discard(p *pending) {
	switch {
	case p == nil:
	case p.tmp != nil:
		p.tmp.Close()
		os.Remove(p.tmp.Name())
	case p.closer != nil:
		p.closer.Close()
	}
}
