package contract

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/specs"
)

// spec is the contract every scenario reads.
var spec = specs.Must()

// Checks returns every written check in run order: protocol, input,
// accept, transition, constraint, access, time, sdk and golden scenarios,
// then the run-wide checks (golden error bodies, documented errors, error
// and response schemas), which judge every answer the others provoked and
// run after them.
func Checks() []check.Check {
	var out []check.Check
	for _, group := range []func() []check.Check{
		protocolChecks, inputChecks, acceptChecks, transitionChecks, constraintChecks, accessChecks, timeChecks, sdkChecks, goldenChecks, errorChecks,
	} {
		out = append(out, group()...)
	}
	return out
}

// Options tune a run.
type Options struct {
	// Run selects checks whose id matches; nil runs all.
	Run *regexp.Regexp
	// Checks replaces the written checks (e.g. with the written checks and
	// the properties of package fuzz); nil runs Checks().
	Checks []check.Check
	// Parallel is how many checks run at once (default 1).
	Parallel int
	// Shard keeps the K-th of N slices of the checks.
	Shard check.Shard
	// Progress, if not nil, receives one line per finished check group.
	Progress io.Writer
	// Rerun builds the hint that reruns one check from its quoted id
	// pattern.
	Rerun func(pattern string) string
	// Fixed are a target file's principals (each with its Role); nil mints
	// fresh principals for every check.
	Fixed []endpoint.Principal
	// InvitationBudget, when set, is how many invitations the run may send
	// (live AWS allows 20 a day); nil means no budget.
	InvitationBudget *int
	// Deadline, when set, is when the run must end.
	Deadline time.Time
	// Waits, Spacing and SpacedOps plan within a live target's limits
	// (see check.Options).
	Waits     []check.Wait
	Spacing   time.Duration
	SpacedOps []string
}

// checkOptions turns Options into the runtime's, with the capability
// probe every run starts with.
func (o Options) checkOptions() check.Options {
	return check.Options{
		Filter: o.Run, Shard: o.Shard, Parallel: o.Parallel, Progress: o.Progress, Rerun: o.Rerun,
		Fixed: o.Fixed, InvitationBudget: o.InvitationBudget, Deadline: o.Deadline,
		Waits: o.Waits, Spacing: o.Spacing, SpacedOps: o.SpacedOps,
		Prepare: fixture.Discover,
	}
}

func (o Options) checks() []check.Check {
	if o.Checks != nil {
		return o.Checks
	}
	return Checks()
}

// Execute runs the selected checks against tgt and reports. Canceling ctx
// stops the run; checks not finished are reported as not run.
func Execute(ctx context.Context, tgt *endpoint.Target, opts Options) *check.Report {
	return check.Execute(ctx, tgt, opts.checks(), opts.checkOptions())
}

// Run runs the selected checks from a Go test or benchmark: one subtest
// per check when tb is a *testing.T; otherwise each check reports through
// tb and a skipped one never stops the rest. The test's deadline bounds
// the run.
//
// With no Run filter, the environment variable ORGCONFORM_RUN, when set,
// selects checks by id; with no Rerun, the hint names the go test command
// that reruns one check through ORGCONFORM_RUN.
func Run(tb testing.TB, tgt *endpoint.Target, opts Options) *check.Report {
	tb.Helper()
	if pattern := os.Getenv("ORGCONFORM_RUN"); pattern != "" && opts.Run == nil {
		re, err := regexp.Compile(pattern)
		if err != nil {
			tb.Fatalf("ORGCONFORM_RUN: %v", err)
			return nil
		}
		opts.Run = re
	}
	if opts.Rerun == nil {
		test, _, _ := strings.Cut(tb.Name(), "/")
		env := ""
		if e := os.Getenv("ORGCONFORM_ENDPOINT"); e != "" {
			env = "ORGCONFORM_ENDPOINT=" + text.ShellQuote(e) + " "
		}
		opts.Rerun = func(pattern string) string {
			return fmt.Sprintf("%sORGCONFORM_RUN=%s go test -run %s .", env, pattern, text.ShellQuote("^"+test+"$"))
		}
	}
	return check.Run(tb, tgt, opts.checks(), opts.checkOptions())
}

// Roles returns the principal roles the scenarios ask for; a target file
// lists accounts by these roles.
func Roles() []string { return fixture.Roles() }

// need is shorthand for a principal requirement.
type need = fixture.Need
