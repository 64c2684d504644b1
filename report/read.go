package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/schemas"
)

// ReadJSON reads a JSON report written by WriteJSON (validated against
// schemas/report.schema.json) back into a check.Report.
func ReadJSON(data []byte) (*check.Report, error) {
	if err := schemas.ValidateReport(data); err != nil {
		var v *schemas.ValidationError
		if errors.As(err, &v) && len(v.Causes) > 0 {
			return nil, fmt.Errorf("not an orgconform JSON report: %s", v.Causes[0])
		}
		return nil, fmt.Errorf("not an orgconform JSON report: %s", firstLine(err.Error()))
	}
	var in jsonReport
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, fmt.Errorf("not an orgconform JSON report: %v", err)
	}
	return &check.Report{
		Target: in.Target, Seed: in.Seed, Shard: in.Shard,
		Duration:     time.Duration(in.DurationSeconds * float64(time.Second)),
		Requests:     in.Requests,
		Results:      in.Checks,
		Cleanup:      in.CleanupFailures,
		Capabilities: in.Capabilities,
		Flags:        in.Flags,
		Interrupted:  in.Interrupted,
		PeakRSS:      in.PeakRSSBytes,
	}, nil
}

func firstLine(s string) string {
	line, _, _ := bytes.Cut([]byte(s), []byte("\n"))
	return string(line)
}

// Merge combines the reports of the shards of one run into one: every
// check once, in the order order gives (checks it does not know last, by
// id); a check several shards ran (the run-wide checks and the properties
// run in each) fails when any shard failed it, passes when any passed it
// and none failed, and otherwise keeps the first shard's verdict; its
// requests and examples add up. Requests and cleanup failures add up, the
// duration is the longest shard's (CI jobs run side by side), and the run
// was interrupted when any shard was. Merge refuses reports that are not
// the shards of one run (see Shards).
func Merge(reps []*check.Report, order []string) (*check.Report, error) {
	if err := Shards(reps); err != nil {
		return nil, err
	}
	return merge(reps, order), nil
}

// Shards reports whether reps are every shard of one run, each once: the
// same N, every K from 1 to N, against the same kind of target (the
// embedded reference target, with the same fault planted if any, or an
// endpoint: each CI job may start its own emulator at its own address).
// Seeds may differ: the shards' split of the written checks does not
// depend on them, and a shard's property examples are its own anyway. A
// single report without a shard is a run of its own and passes.
func Shards(reps []*check.Report) error {
	if len(reps) == 0 {
		return errors.New("no report to merge")
	}
	if len(reps) == 1 && reps[0].Shard == "" {
		return nil
	}
	n := 0
	seen := map[int]bool{}
	for i, r := range reps {
		var k, rn int
		if _, err := fmt.Sscanf(r.Shard, "%d/%d", &k, &rn); err != nil || k < 1 || k > rn {
			return fmt.Errorf("report %d is not a shard (it was run without --shard); merge the reports of one run's --shard K/N", i+1)
		}
		switch {
		case i == 0:
			n = rn
		case rn != n:
			return fmt.Errorf("report %d is shard %s, report 1 one of %d: the shards of one run share N", i+1, r.Shard, n)
		case seen[k]:
			return fmt.Errorf("shard %s is given twice", r.Shard)
		case targetName(r.Target) != targetName(reps[0].Target):
			return fmt.Errorf("shard %s ran against %s, shard %s against %s: the shards of one run share the target", r.Shard, r.Target, reps[0].Shard, reps[0].Target)
		}
		seen[k] = true
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if !seen[k] {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("shard %s missing: a merge needs every shard of the run", strings.Join(missing, ", "))
	}
	return nil
}

// targetName is a report's target as shards compare it: the embedded
// reference target whatever port each shard's had (the parenthesis that
// ends its label), a fault planted in it included; any endpoint as one.
func targetName(label string) string {
	if !strings.HasPrefix(label, embeddedLabel) {
		return "an endpoint"
	}
	if i := strings.LastIndex(label, " ("); i > 0 {
		return label[:i]
	}
	return label
}

// embeddedLabel begins the target label of a run against the embedded
// reference target.
const embeddedLabel = "embedded reference target"

// merge is Merge without the checks of Shards.
func merge(reps []*check.Report, order []string) *check.Report {
	out := &check.Report{}
	if len(reps) == 0 {
		return out
	}
	rank := map[string]int{}
	for i, id := range order {
		rank[id] = i
	}
	byID := map[string]int{}
	caps := map[string]int{}
	flags := map[string]int{}
	for i, r := range reps {
		if i == 0 {
			out.Target, out.Seed = r.Target, r.Seed
		}
		out.Duration = max(out.Duration, r.Duration)
		out.Requests += r.Requests
		out.Interrupted = out.Interrupted || r.Interrupted
		out.Cleanup = append(out.Cleanup, r.Cleanup...)
		for _, res := range r.Results {
			j, seen := byID[res.ID]
			if !seen {
				byID[res.ID] = len(out.Results)
				out.Results = append(out.Results, res)
				continue
			}
			out.Results[j] = combine(out.Results[j], res)
		}
		for _, c := range r.Capabilities {
			j, seen := caps[c.Operation]
			switch {
			case !seen:
				caps[c.Operation] = len(out.Capabilities)
				out.Capabilities = append(out.Capabilities, c)
			case out.Capabilities[j].Status == check.Unknown:
				out.Capabilities[j] = c
			}
		}
		for _, f := range r.Flags {
			if _, seen := flags[f.Name]; !seen {
				flags[f.Name] = len(out.Flags)
				out.Flags = append(out.Flags, f)
			}
		}
	}
	sortResults(out.Results, rank)
	return out
}

// combine joins two shards' verdicts of one check.
func combine(a, b check.Result) check.Result {
	worse := map[check.Status]int{check.Fail: 4, check.Unsupported: 3, check.Pass: 2, check.NotRun: 1, check.Skip: 0}
	out := a
	if worse[b.Status] > worse[a.Status] {
		out = b
	}
	out.Requests = a.Requests + b.Requests
	out.Examples = a.Examples + b.Examples
	if a.Duration > b.Duration {
		out.Duration = a.Duration
	}
	return out
}

// sortResults orders results by rank, unknown ids last by id.
func sortResults(rs []check.Result, rank map[string]int) {
	sort.SliceStable(rs, func(i, j int) bool {
		ri, okI := rank[rs[i].ID]
		rj, okJ := rank[rs[j].ID]
		switch {
		case okI && okJ:
			return ri < rj
		case okI != okJ:
			return okI
		}
		return rs[i].ID < rs[j].ID
	})
}
