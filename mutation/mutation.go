// Package mutation measures the default run's power: it runs the checks
// against the reference target with each fault of its catalogue planted
// (reftarget.Faults) and with each equivalent variant (reftarget.Variants),
// and reports, per fault, whether the run caught it — the run fails, and
// every check the fault is tied to fails — with the first failing check and
// the requests a run sends until it; per variant, whether the run passed
// (a failure there is a false alarm of the checks).
//
// The runs are in-process, several at once: the checks reach each
// reference target through an http.RoundTripper that calls its handler
// directly (no sockets: half the CPU of a loopback server, with the same
// requests and answers).
// TestMutationScore runs them all in CI and keeps README.md's table
// current; "runner faults" lists the catalogue and "runner --fault NAME"
// runs the checks against one fault.
package mutation

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/report"
)

// Outcome is the run of the checks against one fault or variant.
type Outcome struct {
	Fault   reftarget.Fault
	Variant bool
	// Passed is the run's verdict as the runner gives it (exit status 0).
	Passed bool
	// Properties lists the properties that failed (they are not in
	// Failing, First or Requests).
	Properties []string
	// Failing lists the ids of the checks that failed (or were
	// unsupported), in run order.
	Failing []string
	// First is the first failing check in run order ("" when none), and
	// Requests the requests the checks up to and including it sent: what a
	// run in check order sends until the fault shows.
	First    string
	Requests int
	// Missed lists, per tied pattern, the checks it matches that did not
	// fail (or were not unsupported: a crash that makes an operation look
	// unimplemented fails the run that way), and Unmatched the tied
	// patterns that match no check at all.
	Missed    []string
	Unmatched []string
	// Elapsed is the run's wall time.
	Elapsed time.Duration
	// Report is the whole run.
	Report *check.Report
}

// Caught reports whether a fault's run failed with every tied check
// failing; for a variant, whether the run passed.
func (o Outcome) Caught() bool {
	if o.Variant {
		return o.Passed
	}
	return !o.Passed && len(o.Missed) == 0 && len(o.Unmatched) == 0
}

// Options tune Run.
type Options struct {
	// Checks is the list every run executes (suite.Default()).
	Checks []check.Check
	// Workers is how many faults run at once; Parallel how many checks at
	// once within one run.
	Workers, Parallel int
	// Seed seeds the minted account ids of every run.
	Seed int64
}

// Run runs opts.Checks against every fault and variant and returns the
// outcomes, faults first, in catalogue order.
func Run(ctx context.Context, opts Options) []Outcome {
	type job struct {
		f       reftarget.Fault
		variant bool
	}
	var jobs []job
	for _, f := range reftarget.Faults() {
		jobs = append(jobs, job{f, false})
	}
	for _, v := range reftarget.Variants() {
		jobs = append(jobs, job{v, true})
	}
	out := make([]Outcome, len(jobs))
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(opts.Workers, 1) {
		wg.Go(func() {
			for i := range work {
				out[i] = One(ctx, jobs[i].f, jobs[i].variant, opts)
			}
		})
	}
	for i := range jobs {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}

// One runs opts.Checks against the reference target with f planted (as a
// variant when variant is set).
func One(ctx context.Context, f reftarget.Fault, variant bool, opts Options) Outcome {
	start := time.Now()
	o := Outcome{Fault: f, Variant: variant}
	ropts := reftarget.Options{Fault: f.Name}
	if variant {
		ropts = reftarget.Options{Variant: f.Name}
	}
	tgt, err := endpoint.New(endpoint.Config{Endpoint: "http://reference-target.invalid", Seed: opts.Seed,
		HTTPClient: &http.Client{Transport: inProcess{reftarget.New(ropts)}}})
	if err != nil {
		o.Unmatched = []string{err.Error()}
		return o
	}
	rep := contract.Execute(ctx, tgt, contract.Options{Checks: opts.Checks, Parallel: max(opts.Parallel, 1)})
	o.Report, o.Elapsed = rep, time.Since(start)
	o.Passed = report.Passed(rep, report.Options{})
	status := map[string]check.Status{}
	total := 0
	for _, r := range rep.Results {
		status[r.ID] = r.Status
		if strings.HasPrefix(r.ID, "property/") {
			// A property's examples are drawn at random and may race:
			// which faults it meets varies from run to run, so the table
			// (deterministic) leaves the properties out.
			if r.Status == check.Fail {
				o.Properties = append(o.Properties, r.ID)
			}
			continue
		}
		if r.Status != check.Fail && r.Status != check.Unsupported {
			total += r.Requests
			continue
		}
		o.Failing = append(o.Failing, r.ID)
		if o.First == "" {
			o.First, o.Requests = r.ID, total+r.Requests
		}
		total += r.Requests
	}
	for _, pattern := range f.Tied {
		re, err := regexp.Compile(pattern)
		if err != nil {
			o.Unmatched = append(o.Unmatched, pattern+" ("+err.Error()+")")
			continue
		}
		matched := false
		for _, r := range rep.Results {
			if !re.MatchString(r.ID) {
				continue
			}
			matched = true
			if st := status[r.ID]; st != check.Fail && st != check.Unsupported {
				o.Missed = append(o.Missed, fmt.Sprintf("%s (%s)", r.ID, st))
			}
		}
		if !matched {
			o.Unmatched = append(o.Unmatched, pattern)
		}
	}
	return o
}

// inProcess is a RoundTripper that serves every request with a handler in
// the same process.
type inProcess struct{ h http.Handler }

// RoundTrip implements http.RoundTripper.
func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// Problem describes why an outcome is not what the catalogue wants, ""
// when it is.
func (o Outcome) Problem() string {
	if o.Caught() {
		return ""
	}
	if o.Variant {
		var lines []string
		for _, r := range o.Report.Results {
			if r.Status == check.Fail || r.Status == check.Unsupported {
				lines = append(lines, fmt.Sprintf("  %s %s: expected %s; observed %s", r.ID, r.Status, oneLine(r.Expected), oneLine(r.Observed)))
			}
		}
		return fmt.Sprintf("variant %s (%s): a false alarm, the run fails:\n%s", o.Fault.Name, o.Fault.Point, strings.Join(lines, "\n"))
	}
	var parts []string
	if o.Passed {
		parts = append(parts, "the run passes (exit 0)")
	}
	if len(o.Unmatched) > 0 {
		parts = append(parts, "tied patterns match no check: "+strings.Join(o.Unmatched, ", "))
	}
	if len(o.Missed) > 0 {
		parts = append(parts, "tied checks that did not fail: "+strings.Join(o.Missed, ", "))
	}
	return fmt.Sprintf("fault %s (%s) not caught: %s; failing: %s", o.Fault.Name, o.Fault.Point, strings.Join(parts, "; "), strings.Join(first(o.Failing, 12), ", "))
}

func first(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(slices.Clone(s[:n]), fmt.Sprintf("… %d more", len(s)-n))
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// Table renders the outcomes as the markdown table README.md carries: per
// fault its kind, the first failing check, the requests until it and how
// many checks failed; per variant whether the run passed.
func Table(outcomes []Outcome) string {
	var b strings.Builder
	caught, faults, passing, variants := 0, 0, 0, 0
	for _, o := range outcomes {
		switch {
		case o.Variant:
			variants++
			if o.Caught() {
				passing++
			}
		default:
			faults++
			if o.Caught() {
				caught++
			}
		}
	}
	fmt.Fprintf(&b, "%d of %d faults caught (every tied check failing); %d of %d equivalent variants pass.\n\n", caught, faults, passing, variants)
	b.WriteString("| fault | kind | first failing check | requests until detection | failing checks |\n")
	b.WriteString("|---|---|---|---:|---:|\n")
	for _, o := range outcomes {
		if o.Variant {
			continue
		}
		firstCheck := "—"
		if o.First != "" {
			firstCheck = "`" + o.First + "`"
		}
		mark := ""
		if !o.Caught() {
			mark = " (not caught)"
		}
		fmt.Fprintf(&b, "| `%s`%s | %s | %s | %d | %d |\n", o.Fault.Name, mark, o.Fault.Kind, firstCheck, o.Requests, len(o.Failing))
	}
	b.WriteString("\n| equivalent variant | verdict |\n|---|---|\n")
	for _, o := range outcomes {
		if !o.Variant {
			continue
		}
		verdict := "passes"
		if !o.Caught() {
			verdict = fmt.Sprintf("fails (%d checks): a false alarm", len(o.Failing))
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", o.Fault.Name, verdict)
	}
	return b.String()
}
