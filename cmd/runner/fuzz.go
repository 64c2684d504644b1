package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/fuzz"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/report"
	"github.com/orgconform/orgconform/suite"
)

// fuzzUsage is the first line of runner fuzz's help.
const fuzzUsage = `usage: runner fuzz [flags]   run the properties in rounds until --duration has passed (a fuzz campaign)`

// The budget of one round of a property in a campaign: --examples
// examples, each an average --steps actions long.
const (
	fuzzExamples = 25
	fuzzSteps    = 30
)

// campaignMemoryLimit is the Go runtime's soft memory limit during a
// campaign (GOMEMLIMIT overrides it).
const campaignMemoryLimit = 96 << 20

// fuzzFlags are runner fuzz's flags: the default command's, a duration,
// and other defaults for the budget.
type fuzzFlags struct {
	runFlags
	duration time.Duration
}

func fuzzFlagSet(f *fuzzFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("runner fuzz", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.endpoint, "endpoint", "", "base URL of the target (default: the embedded reference target, a fresh one every round)")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "deadline of every call to the target")
	fs.StringVar(&f.run, "run", "", "run only the properties whose id matches this regular expression")
	fs.StringVar(&f.jsonPath, "json", "", "write the campaign's JSON report to this file (- for stdout)")
	fs.StringVar(&f.junitPath, "junit", "", "write JUnit XML to this file (- for stdout)")
	fs.StringVar(&f.markdownPath, "markdown", "", "write a markdown summary to this file (- for stdout)")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the failures and the summary")
	fs.StringVar(&f.shard, "shard", "", "run only the K-th of N slices of the properties (K/N), for a CI build matrix; runner merge combines the reports")
	fs.DurationVar(&f.duration, "duration", time.Minute, "how long the campaign runs (a property's last round may end up to a round later)")
	addPropertyFlags(fs, &f.propertyFlags, fuzzExamples, fuzzSteps, 0, "examples of one round of a property")
	return fs
}

func parseFuzzFlags(args []string) (*fuzzFlags, error) {
	f := &fuzzFlags{}
	if err := f.parse(fuzzFlagSet(f), args); err != nil {
		return nil, err
	}
	if f.duration <= 0 {
		return nil, fmt.Errorf("--duration must be positive, got %s", f.duration)
	}
	return f, f.propertyFlags.validate()
}

// fuzzCmd runs a fuzz campaign: every property, in rounds of --examples
// examples each, with a new seed every round, until --duration has passed.
// A property that fails (or cannot run) leaves the campaign with its
// counterexample; the others go on. Exit status as the default command's.
func fuzzCmd(args []string, stdout, stderr io.Writer) int {
	f, err := parseFuzzFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(stdout, fuzzUsage, fuzzFlagSet(&fuzzFlags{}))
		return 0
	}
	if err != nil {
		return usage(stderr, err)
	}
	var re *regexp.Regexp
	if f.run != "" {
		if re, err = regexp.Compile(f.run); err != nil {
			return usage(stderr, fmt.Errorf("--run: %v", err))
		}
	}
	props := properties(re)
	if len(props) == 0 {
		return usage(stderr, fmt.Errorf("no property matches --run %s (runner --list --run '^property/' shows them)", text.ShellQuote(f.run)))
	}
	shard, err := parseShard(f.shard)
	if err != nil {
		return usage(stderr, err)
	}
	props = shardProperties(props, shard)
	outputs, err := openOutputs(&f.runFlags, stdout)
	if err != nil {
		return usage(stderr, err)
	}
	defer outputs.close()
	if err := prepareFailures(f.failures); err != nil {
		return usage(stderr, err)
	}
	console := stdout
	if outputs.usesStdout() {
		console = stderr
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit: the collector works harder near it, so that a long
		// campaign's many short-lived targets never pile up in memory.
		debug.SetMemoryLimit(campaignMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := campaign(ctx, f, props, console, nil)
	if err != nil {
		return usage(stderr, err)
	}
	rep.Shard = shard.String()
	ropts := report.Options{Quiet: f.quiet}
	fmt.Fprintln(console)
	report.WriteConsole(console, rep, ropts)
	if err := outputs.write(rep, ropts); err != nil {
		return usage(stderr, err)
	}
	if err := writeFailures(f.failures, rep); err != nil {
		return usage(stderr, err)
	}
	if !report.Passed(rep, ropts) {
		return 1
	}
	return 0
}

// properties are the default run's property checks whose id matches re.
func properties(re *regexp.Regexp) []check.Check {
	var out []check.Check
	for _, c := range suite.Default() {
		if c.Group == fuzz.Group && (re == nil || re.MatchString(c.ID)) {
			out = append(out, c)
		}
	}
	return out
}

// shardProperties is shard's slice of a campaign's properties: every
// N-th property when there are at least N, so that each CI job fuzzes its
// own properties for the whole duration; with more shards than
// properties, shard K fuzzes property K (counting round), and the shards
// that share a property try different examples (every round draws a new
// seed). The merged report sums a property's examples over the shards.
func shardProperties(props []check.Check, shard check.Shard) []check.Check {
	if shard.N == 0 {
		return props
	}
	if shard.N > len(props) {
		return []check.Check{props[(shard.K-1)%len(props)]}
	}
	var out []check.Check
	for i, c := range props {
		if i%shard.N == shard.K-1 {
			out = append(out, c)
		}
	}
	return out
}

// campaign runs every property of props in rounds of its own, each round
// against a fresh embedded target (or the --endpoint), until f.duration
// has passed, ctx ends, or the property fails or cannot run. The target's
// capabilities are probed once, for every round. rapid picks a new seed
// for every round; a failure's counterexample names the seed that
// reproduces it with the default command. observe, when set, is called
// after every round of every property. The report holds one result per
// property: examples and requests summed over its rounds, and its first
// failure with the counterexample.
func campaign(ctx context.Context, f *fuzzFlags, props []check.Check, console io.Writer, observe func(check.Result)) (*check.Report, error) {
	start := time.Now()
	rf := f.runFlags
	rf.seed = 0
	// A failure's reproduce command runs the default command, whose
	// --steps default is not a campaign's: it names the campaign's.
	rf.set = maps.Clone(f.set)
	if rf.steps != defaultSteps {
		rf.set["steps"] = true
	}
	if err := check.ConfigureRapid(f.examples, f.steps, 0); err != nil {
		return nil, err
	}
	if err := check.ConfigureShrinking(f.shrink); err != nil {
		return nil, err
	}
	check.ConfigureBudget(f.time)
	tgt, label, _, shutdown, err := reach(ctx, &rf)
	if err != nil {
		return nil, err
	}
	probe := check.Execute(ctx, tgt, nil, check.Options{Prepare: fixture.Discover})
	shutdown()
	if f.endpoint == "" {
		label = "embedded reference target (a fresh one every round)"
	}
	prepare := func(_ context.Context, s *check.Session) {
		for _, oc := range probe.Capabilities {
			s.Caps().Set(oc.Operation, oc.Status, oc.Evidence)
		}
		for _, fl := range probe.Flags {
			s.Caps().SetFlag(fl.Name, fl.On, fl.Evidence)
		}
	}
	var (
		mu       sync.Mutex
		results  = make([]check.Result, len(props))
		requests = probe.Requests
		cleanup  []string
		wg       sync.WaitGroup
	)
	for i, c := range props {
		results[i] = check.Result{ID: c.ID, Group: c.Group, Operation: c.Operation, Status: check.NotRun,
			Cause: "run interrupted", Observed: "the campaign ended before this property ran"}
	}
	// runRound runs one round of props[i] and reports whether the
	// property is done (failed, or could not run).
	runRound := func(i int) bool {
		c := props[i]
		tgt, _, _, shutdown, err := reach(ctx, &rf)
		if err != nil {
			mu.Lock()
			cleanup = append(cleanup, c.ID+": "+err.Error())
			mu.Unlock()
			return true
		}
		rep := check.Execute(ctx, tgt, []check.Check{c}, check.Options{Prepare: prepare, Rerun: rerunHint(&rf)})
		shutdown()
		r := rep.Results[0]
		mu.Lock()
		requests += rep.Requests
		cleanup = append(cleanup, rep.Cleanup...)
		done := r.Status != check.Pass
		if r.Status != check.NotRun {
			prev := results[i]
			if prev.Status != check.NotRun {
				r.Examples += prev.Examples
				r.Requests += prev.Requests
				r.Duration += prev.Duration
			}
			results[i] = r
		}
		mu.Unlock()
		if observe != nil {
			observe(r)
		}
		if !f.quiet && done && r.Status != check.NotRun {
			fmt.Fprintf(console, "%s: %s after %d examples (%s)\n", c.ID, r.Status, r.Examples, time.Since(start).Round(time.Second))
		}
		return done
	}

	// Each stateful property has a worker of its own; the input
	// properties, each example a single request, share one, taking turns,
	// so that they do not crowd out the long sequences.
	var workers [][]int
	shared := -1
	for i, c := range props {
		if strings.HasPrefix(c.ID, "property/input/") {
			if shared < 0 {
				shared = len(workers)
				workers = append(workers, nil)
			}
			workers[shared] = append(workers[shared], i)
			continue
		}
		workers = append(workers, []int{i})
	}
	if fl, _ := sharedAccount(probe); fl.On {
		// One account for every caller: properties that ran at once
		// would share its organization, so they take turns in one worker.
		workers = [][]int{slices.Concat(workers...)}
	}
	for _, turn := range workers {
		wg.Go(func() {
			for first := true; ctx.Err() == nil && len(turn) > 0 && (first || time.Since(start) < f.duration); first = false {
				var left []int
				for _, i := range turn {
					if ctx.Err() == nil && !runRound(i) {
						left = append(left, i)
					}
				}
				turn = left
			}
		})
	}
	wg.Wait()
	rep := &check.Report{Target: label, Duration: time.Since(start), Requests: requests, Results: results,
		Capabilities: probe.Capabilities, Flags: probe.Flags, Cleanup: cleanup, Interrupted: ctx.Err() != nil, PeakRSS: check.PeakRSS()}
	return rep, nil
}

// sharedAccount returns the shared-account flag of a probe's report.
func sharedAccount(rep *check.Report) (check.Flag, bool) {
	for _, fl := range rep.Flags {
		if fl.Name == check.FlagSharedAccount {
			return fl, true
		}
	}
	return check.Flag{}, false
}
