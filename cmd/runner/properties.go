package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/orgconform/orgconform/check"
)

// The property budget of the default run: small enough that the whole run
// stays within two seconds on the embedded target (README, "Seeds and
// budgets"); runner fuzz runs longer campaigns.
const (
	defaultExamples = check.DefaultExamples
	defaultSteps    = check.DefaultSteps
	// defaultShrink bounds the time rapid spends shrinking one failure: a
	// person reads the counterexample, so longer than a library's default.
	defaultShrink = 10 * time.Second
)

// defaultPropertyTime bounds the time each property of a default run
// spends trying examples, so that a slow target (an emulator answering in
// 40 ms) does not make the sequential examples the run's longest part.
const defaultPropertyTime = 1500 * time.Millisecond

// propertyFlags are the flags that budget the properties.
type propertyFlags struct {
	examples int
	steps    int
	shrink   time.Duration
	time     time.Duration
	failures string
}

func addPropertyFlags(fs *flag.FlagSet, f *propertyFlags, examples, steps int, propertyTime time.Duration, examplesUsage string) {
	fs.IntVar(&f.examples, "examples", examples, examplesUsage)
	fs.DurationVar(&f.time, "property-time", propertyTime, "the longest each property spends trying examples (0: until --examples are tried)")
	fs.IntVar(&f.steps, "steps", steps, "average actions of a stateful property's example")
	fs.DurationVar(&f.shrink, "shrink-time", defaultShrink, "the longest a property spends shrinking a failure to a minimal counterexample")
	fs.StringVar(&f.failures, "failures", "", "write each failed property's counterexample (steps, replay script, command) into this directory")
}

func (f *propertyFlags) validate() error {
	switch {
	case f.examples < 1:
		return fmt.Errorf("--examples must be at least 1, got %d", f.examples)
	case f.steps < 1:
		return fmt.Errorf("--steps must be at least 1, got %d", f.steps)
	case f.shrink <= 0:
		return fmt.Errorf("--shrink-time must be positive, got %s", f.shrink)
	case f.time < 0:
		return fmt.Errorf("--property-time must not be negative, got %s", f.time)
	}
	return nil
}

// configure sets rapid for the run: the budget, and the run's seed, so
// that --seed N reruns the same examples. A shard tries its part of the
// examples, from a seed of its own.
func (f *propertyFlags) configure(seed int64, shard check.Shard) error {
	if err := check.ConfigureRapid(check.ShardExamples(f.examples, shard), f.steps, check.ShardSeed(uint64(seed), shard)); err != nil {
		return err
	}
	check.ConfigureBudget(f.time)
	return check.ConfigureShrinking(f.shrink)
}

// prepareFailures makes the --failures directory before a run, so that a
// path that cannot hold the files is a usage error at once, not after the
// run (nothing is written into it unless a property fails).
func prepareFailures(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--failures: %w", err)
	}
	f, err := os.CreateTemp(dir, ".orgconform-*")
	if err != nil {
		return fmt.Errorf("--failures: %s cannot hold the failure files: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// writeFailures writes, for every failed check with a counterexample,
// DIR/<id>.txt (the failure, the numbered steps with their exchanges, the
// seed and the command) and DIR/<id>.sh (the replay script). Nothing is
// written without --failures.
func writeFailures(dir string, rep *check.Report) error {
	if dir == "" {
		return nil
	}
	for _, r := range rep.Results {
		c := r.Counterexample
		if r.Status != check.Fail || c == nil {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("--failures: %w", err)
		}
		base := filepath.Join(dir, fileName(r.ID))
		var b strings.Builder
		fmt.Fprintf(&b, "%s failed against %s\n\nexpected: %s\nobserved: %s\n\nseed: %s\nreproduce: %s\n\ncounterexample (%d steps):\n\n%s\n",
			r.ID, rep.Target, r.Expected, r.Observed, c.Seed, c.Command, len(c.Steps), strings.Join(c.Steps, "\n"))
		if err := os.WriteFile(base+".txt", []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("--failures: %w", err)
		}
		if c.Replay != "" {
			if err := os.WriteFile(base+".sh", []byte(c.Replay), 0o755); err != nil {
				return fmt.Errorf("--failures: %w", err)
			}
		}
	}
	return nil
}

// fileName turns a check id into a file name: property/input/X →
// property-input-X.
func fileName(id string) string { return unsafeName.ReplaceAllString(id, "-") }

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
