// Package report renders a check.Report for people and for machines: a
// console summary, the documented JSON report (schemas/report.schema.json),
// JUnit XML and a markdown fidelity summary for CI job pages.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/orgconform/orgconform/check"
)

// Options tune the renderings and the verdict.
type Options struct {
	// AllowUnsupported makes unsupported checks count as skipped rather
	// than failed (in JUnit, and in the verdict).
	AllowUnsupported bool
	// Quiet keeps the console to the capabilities, the failures and the
	// summary.
	Quiet bool
}

// Passed reports whether rep passes: at least one check passed (a run
// whose every check was skipped or unsupported judged nothing), none
// failed, none was unsupported unless allowed, and the run was not
// interrupted.
func Passed(rep *check.Report, opts Options) bool {
	s := rep.Summary()
	return s.Passed > 0 && !rep.Interrupted && s.Failed == 0 && (opts.AllowUnsupported || s.Unsupported == 0)
}

// jsonReport is the wire form of the JSON report; keep it in step with
// schemas/report.schema.json.
type jsonReport struct {
	Target          string               `json:"target"`
	Seed            int64                `json:"seed"`
	Shard           string               `json:"shard,omitempty"`
	DurationSeconds float64              `json:"duration_seconds"`
	Requests        int                  `json:"requests"`
	Interrupted     bool                 `json:"interrupted"`
	PeakRSSBytes    int64                `json:"peak_rss_bytes"`
	Summary         jsonSummary          `json:"summary"`
	Groups          []Group              `json:"groups"`
	Capabilities    []check.OpCapability `json:"capabilities"`
	Flags           []check.Flag         `json:"flags"`
	Checks          []check.Result       `json:"checks"`
	CleanupFailures []string             `json:"cleanup_failures"`
}

type jsonSummary struct {
	Ran         int `json:"ran"`
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Skipped     int `json:"skipped"`
	Unsupported int `json:"unsupported"`
	NotRun      int `json:"not_run"`
}

// Group is one check group's counts.
type Group struct {
	Group       string `json:"group"`
	Checks      int    `json:"checks"`
	Requests    int    `json:"requests"`
	Passed      int    `json:"passed"`
	Failed      int    `json:"failed"`
	Skipped     int    `json:"skipped"`
	Unsupported int    `json:"unsupported"`
	NotRun      int    `json:"not_run"`
}

// Groups counts rep's results per group, groups in order of appearance.
func Groups(rep *check.Report) []Group {
	var out []Group
	index := map[string]int{}
	for _, r := range rep.Results {
		i, ok := index[r.Group]
		if !ok {
			i = len(out)
			index[r.Group] = i
			out = append(out, Group{Group: r.Group})
		}
		g := &out[i]
		g.Checks++
		g.Requests += r.Requests
		switch r.Status {
		case check.Pass:
			g.Passed++
		case check.Fail:
			g.Failed++
		case check.Skip:
			g.Skipped++
		case check.Unsupported:
			g.Unsupported++
		case check.NotRun:
			g.NotRun++
		}
	}
	return out
}

// JSON renders rep as the documented JSON report.
func JSON(rep *check.Report) ([]byte, error) {
	s := rep.Summary()
	out, err := json.MarshalIndent(jsonReport{
		Target:          rep.Target,
		Seed:            rep.Seed,
		Shard:           rep.Shard,
		DurationSeconds: math.Round(rep.Duration.Seconds()*1000) / 1000,
		Requests:        rep.Requests,
		Interrupted:     rep.Interrupted,
		PeakRSSBytes:    rep.PeakRSS,
		Summary:         jsonSummary{s.Ran, s.Passed, s.Failed, s.Skipped, s.Unsupported, s.NotRun},
		Groups:          nonNil(Groups(rep)),
		Capabilities:    nonNil(rep.Capabilities),
		Flags:           nonNil(rep.Flags),
		Checks:          nonNil(rep.Results),
		CleanupFailures: nonNil(rep.Cleanup),
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: encode JSON: %w", err)
	}
	return append(out, '\n'), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WriteJSON writes the JSON report of rep to w.
func WriteJSON(w io.Writer, rep *check.Report) error {
	b, err := JSON(rep)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
