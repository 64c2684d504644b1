// Package report renders a contract.Report for people and for machines: a
// console summary, the documented JSON report (schemas/report.schema.json)
// and JUnit XML.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/orgconform/orgconform/contract"
)

// Options tune the renderings.
type Options struct {
	// AllowUnsupported makes unsupported checks count as skipped rather
	// than failed (in JUnit, and in the verdict).
	AllowUnsupported bool
}

// Passed reports whether rep passes: no failed check, and no unsupported one
// unless allowed.
func Passed(rep *contract.Report, opts Options) bool {
	s := rep.Summary()
	return s.Failed == 0 && (opts.AllowUnsupported || s.Unsupported == 0)
}

// jsonReport is the wire form of the JSON report; keep it in step with
// schemas/report.schema.json.
type jsonReport struct {
	Target          string            `json:"target"`
	Seed            int64             `json:"seed"`
	DurationSeconds float64           `json:"duration_seconds"`
	Requests        int               `json:"requests"`
	Summary         jsonSummary       `json:"summary"`
	Checks          []contract.Result `json:"checks"`
	CleanupFailures []string          `json:"cleanup_failures"`
}

type jsonSummary struct {
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Skipped     int `json:"skipped"`
	Unsupported int `json:"unsupported"`
}

// JSON renders rep as the documented JSON report.
func JSON(rep *contract.Report) ([]byte, error) {
	s := rep.Summary()
	checks := rep.Results
	if checks == nil {
		checks = []contract.Result{}
	}
	cleanup := rep.Cleanup
	if cleanup == nil {
		cleanup = []string{}
	}
	out, err := json.MarshalIndent(jsonReport{
		Target:          rep.Target,
		Seed:            rep.Seed,
		DurationSeconds: math.Round(rep.Duration.Seconds()*1000) / 1000,
		Requests:        rep.Requests,
		Summary:         jsonSummary{s.Passed, s.Failed, s.Skipped, s.Unsupported},
		Checks:          checks,
		CleanupFailures: cleanup,
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: encode JSON: %w", err)
	}
	return append(out, '\n'), nil
}

// WriteJSON writes the JSON report of rep to w.
func WriteJSON(w io.Writer, rep *contract.Report) error {
	b, err := JSON(rep)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
