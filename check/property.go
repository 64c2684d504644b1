package check

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/endpoint"
)

// Property runs prop as a pgregory.net/rapid property inside the check: as
// many examples as rapid is configured for (ConfigureRapid), shrinking a
// failure to a minimal one. prop records each step it takes with rec; the
// steps of the last, shrunk example become the check's counterexample (the
// numbered steps with their exchanges, the replay script the steps wrote,
// and the seed and command that reproduce it), and the check fails with
// rapid's account of the failure. The result counts the examples tried
// (up to the first that failed; the runs that shrink it are not counted).
//
// Cleanups registered during an example (by fixtures or by prop) run when
// the example ends, so that every example starts from scratch. A verdict reached inside an
// example (a setup step the target refuses, an operation it lacks, a skip)
// ends the property with that verdict, unshrunk.
func (t *T) Property(prop func(rt *rapid.T, rec *Recorder)) {
	ensureRapidFlags()
	rec := &Recorder{t: t}
	tb := &rapidTB{t: t}
	var verdict any // the stop of a verdict reached inside an example
	failed := false // an example failed: later runs reproduce and shrink it
	start, budget, outOfTime := time.Now(), propertyBudget(), false
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(rapidStop); !ok {
					panic(p)
				}
			}
		}()
		rapid.Check(tb, func(rt *rapid.T) {
			if verdict != nil {
				// The examples left pass at once: a failing example
				// would make rapid shrink it, trying thousands of
				// variants until --shrink-time, and keep them all.
				return
			}
			if !failed && budget > 0 && time.Since(start) > budget {
				outOfTime = true // the remaining examples pass untried
				return
			}
			rec.reset()
			t.mu.Lock()
			if !failed {
				t.result.Examples++
			}
			t.example = &[]cleanup{}
			t.mu.Unlock()
			defer t.endExample()
			defer func() {
				p := recover()
				if rt.Failed() {
					failed = true // a skipped example (rapid's invalid data) is no failure
				}
				if p != nil {
					if _, ok := p.(stop); ok {
						// Delivered once rapid.Check returns; but while a
						// failure is being shrunk, a verdict (a setup step
						// refused, a skip) only means this variant does not
						// reproduce it: the failure found stands.
						if !failed {
							verdict = p
						}
						return
					}
					panic(p)
				}
			}()
			prop(rt, rec)
		})
	}()
	if verdict != nil {
		panic(verdict)
	}
	if outOfTime && !tb.failed {
		t.Notef("%d examples tried: the property's time budget (%s) ran out before the configured number", t.result.Examples, budget)
	}
	if !tb.failed {
		return
	}
	seed := ""
	if m := rapidSeed.FindStringSubmatch(tb.failure); m != nil {
		if n, err := strconv.ParseUint(m[1], 10, 64); err == nil {
			seed = strconv.FormatInt(int64(n), 10) // as --seed reads it
		}
	}
	t.result.Counterexample = &Counterexample{
		Seed:    seed,
		Steps:   rec.stepTexts(),
		Replay:  rec.script(),
		Command: withSeed(t.run.rerun(t.check.ID), seed),
	}
	msg, _, _ := strings.Cut(tb.failure, "\nTo reproduce")
	msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(msg), "[rapid] "))
	observed := fmt.Sprintf("%s (%d steps; the counterexample lists them)", msg, len(rec.steps))
	if rec.explain != "" {
		observed += "\n" + rec.explain
	}
	t.verdict(Fail, "", "no counterexample: the property holds for every example", observed)
}

// endExample runs the cleanups of the example that ended, last registered
// first.
func (t *T) endExample() {
	t.mu.Lock()
	ex := t.example
	t.example = nil
	t.mu.Unlock()
	if ex != nil {
		t.runCleanupList(*ex)
	}
}

// withSeed is a rerun command with --seed set to seed (replacing a --seed
// already there): the runner seeds its properties with --seed, and a
// failing example's seed makes it the first example tried.
func withSeed(cmd, seed string) string {
	if seed == "" {
		return cmd
	}
	cmd = seedArg.ReplaceAllString(cmd, "")
	return cmd + " --seed " + seed
}

// seedArg is a --seed argument in a rerun command.
var seedArg = regexp.MustCompile(` --seed -?\d+`)

// rapidSeed finds the seed in rapid's failure message.
var rapidSeed = regexp.MustCompile(`-rapid\.seed=(\d+)`)

// Recorder keeps the steps of one example of a property: what it did, the
// exchange, and the command that replays it.
type Recorder struct {
	t       *T
	mu      sync.Mutex
	steps   []step
	defines []define
	explain string
}

// define is a shell variable the replay script sets before its steps.
type define struct{ name, value string }

type step struct {
	what     string
	exchange string
	cli      string
}

func (r *Recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps = r.steps[:0]
	r.defines = r.defines[:0]
	r.explain = ""
}

// Explain adds to what the check's failure says beyond rapid's message,
// for the current example (e.g. the timings of a concurrent history). rapid
// compares failure messages to know a shrunk example fails the same way,
// so a message must not vary between runs of one example (ids minted per
// run, timings); such details go here. The text is redacted.
func (r *Recorder) Explain(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.explain != "" {
		r.explain += "\n"
	}
	r.explain += r.t.run.tgt.Redact(text)
}

// Define sets a shell variable at the top of the replay script, unless
// the environment sets it (e.g. a principal's access key id:
// MANAGEMENT_1=${MANAGEMENT_1:-111111111111}). The value is redacted.
func (r *Recorder) Define(name, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.defines {
		if d.name == name {
			return
		}
	}
	r.defines = append(r.defines, define{name, r.t.run.tgt.Redact(value)})
}

// Step records one step: what it did, the answer (its exchange, secrets
// redacted, is kept), and the command that replays it (an aws CLI line,
// or "" for none).
func (r *Recorder) Step(what string, resp *endpoint.Response, cli string) {
	ex := ""
	if resp != nil && resp.Exchange != nil {
		ex = r.t.run.tgt.Redact(resp.Exchange.String())
	} else if resp != nil {
		ex = resp.Summary()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.steps) >= maxSteps {
		return
	}
	r.steps = append(r.steps, step{what: r.t.run.tgt.Redact(what), exchange: ex, cli: r.t.run.tgt.Redact(cli)})
}

// maxSteps bounds the steps an example keeps.
const maxSteps = 500

// Len is how many steps the current example took.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.steps)
}

func (r *Recorder) stepTexts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.steps))
	for i, s := range r.steps {
		out[i] = fmt.Sprintf("#%d %s\n%s", i+1, s.what, s.exchange)
	}
	return out
}

// script is a shell script that replays the steps with the aws CLI against
// the same endpoint, principals taken from the environment.
func (r *Recorder) script() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("#!/bin/sh\n# Replays the counterexample with the aws CLI. Principals are access key ids in the\n# environment (LocalStack's convention: the access key id is the account); set\n# AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for them as your target needs.\n")
	fmt.Fprintf(&b, "ENDPOINT=${ENDPOINT:-%s}\nexport AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-%s} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}\n", r.t.run.tgt.Endpoint(), r.t.run.tgt.Region())
	for _, d := range r.defines {
		fmt.Fprintf(&b, "%s=${%s:-%s}\n", d.name, d.name, d.value)
	}
	n := 0
	for i, s := range r.steps {
		if s.cli == "" {
			continue
		}
		n++
		fmt.Fprintf(&b, "# %d: %s\n%s\n", i+1, oneLineOf(s.what), s.cli)
	}
	if n == 0 {
		return ""
	}
	return b.String()
}

func oneLineOf(s string) string { return strings.Join(strings.Fields(s), " ") }

// rapidStop unwinds rapid.Check when it calls FailNow.
type rapidStop struct{}

// rapidTB is the rapid.TB a property runs under: rapid's verdict is
// collected here instead of ending the check's goroutine, and a skip never
// stops the run.
type rapidTB struct {
	t       *T
	mu      sync.Mutex
	failed  bool
	failure string
}

func (r *rapidTB) Helper()                   {}
func (r *rapidTB) Name() string              { return r.t.check.ID }
func (r *rapidTB) Logf(string, ...any)       {}
func (r *rapidTB) Log(...any)                {}
func (r *rapidTB) Skipf(string, ...any)      {}
func (r *rapidTB) Skip(...any)               {}
func (r *rapidTB) SkipNow()                  {}
func (r *rapidTB) Error(args ...any)         { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *rapidTB) Fatal(args ...any)         { r.Errorf("%s", fmt.Sprint(args...)); r.FailNow() }
func (r *rapidTB) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *rapidTB) FailNow()                  { r.Fail(); panic(rapidStop{}) }

// Errorf records rapid's account of a failure.
func (r *rapidTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	if r.failure == "" {
		r.failure = fmt.Sprintf(format, args...)
	}
}

// Fail marks the property failed.
func (r *rapidTB) Fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
}

// Failed reports whether the property failed.
func (r *rapidTB) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

var rapidOnce sync.Once

// The budget properties run with unless ConfigureRapid or rapid's own
// flags (-rapid.checks, -rapid.steps, -rapid.shrinktime on a go test
// command line) say otherwise: the default run's, which keeps it within
// two seconds on the embedded target, rather than rapid's 100 examples;
// and a few seconds' shrinking, rather than rapid's 30 (a go test that
// runs the checks against many faulty targets, such as the mutation
// score, shrinks every failure it provokes).
const (
	DefaultExamples = 8
	DefaultSteps    = 12
	DefaultShrink   = 3 * time.Second
)

// ensureRapidFlags makes rapid's flags readable outside go test (rapid
// asks testing.Short), applies the default budget where no flag set one,
// and turns fail files off: nothing is written into the working tree
// unasked (a counterexample carries its seed instead).
func ensureRapidFlags() {
	rapidOnce.Do(func() {
		if flag.Lookup("test.v") == nil {
			testing.Init()
		}
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, value := range map[string]string{
			"rapid.checks": fmt.Sprint(DefaultExamples), "rapid.steps": fmt.Sprint(DefaultSteps), "rapid.shrinktime": DefaultShrink.String(),
		} {
			if !set[name] && os.Getenv(strings.ToUpper(strings.ReplaceAll(name, ".", "_"))) == "" {
				_ = flag.Set(name, value)
			}
		}
		_ = flag.Set("rapid.nofailfile", "true")
	})
}

// ConfigureRapid sets how properties run: examples per property, the
// average steps of a state machine, and the seed (0: random). rapid reads
// these from the flags of the standard flag set (its -rapid.* flags),
// which a program's own flags never touch; fail files are never written,
// so nothing lands in the working tree unasked. Call it before a run, not
// during one.
func ConfigureRapid(examples, steps int, seed uint64) error {
	ensureRapidFlags()
	for name, value := range map[string]string{
		"rapid.checks": fmt.Sprint(examples), "rapid.steps": fmt.Sprint(steps),
		"rapid.seed": fmt.Sprint(seed), "rapid.nofailfile": "true",
	} {
		if err := flag.Set(name, value); err != nil {
			return fmt.Errorf("configure rapid: %s: %w", name, err)
		}
	}
	return nil
}

// budget is the longest a property spends trying new examples (0: no
// limit); see ConfigureBudget.
var budget atomic.Int64

// ConfigureBudget bounds the time a property spends trying new examples:
// once d has passed, the examples left pass untried and the result says
// how many were tried, so that a slow target cannot stretch a run without
// end (0: no limit, the default). A failure is shrunk whatever the budget.
func ConfigureBudget(d time.Duration) { budget.Store(int64(d)) }

func propertyBudget() time.Duration { return time.Duration(budget.Load()) }

// ConfigureShrinking bounds the time rapid spends shrinking one failure
// (rapid's default is 30s).
func ConfigureShrinking(d time.Duration) error {
	ensureRapidFlags()
	if err := flag.Set("rapid.shrinktime", d.String()); err != nil {
		return fmt.Errorf("configure rapid: rapid.shrinktime: %w", err)
	}
	return nil
}
