package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/schemas"
)

// ReadJSON reads a JSON report written by WriteJSON (validated against
// schemas/report.schema.json) back into a check.Report.
func ReadJSON(data []byte) (*check.Report, error) {
	if err := schemas.ValidateReport(data); err != nil {
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
// id); a check several shards ran (the run-wide checks run in each) fails
// when any shard failed it, passes when any passed it and none failed, and
// otherwise keeps the first shard's verdict. Requests and cleanup failures
// add up, the duration is the longest shard's (CI jobs run side by side),
// and the run was interrupted when any shard was.
func Merge(reps []*check.Report, order []string) *check.Report {
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
