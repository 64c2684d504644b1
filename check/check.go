package check

import (
	"time"
)

// Status is the verdict of one check.
type Status string

// The verdicts a check can reach.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
	// Unsupported: the target evidently does not implement something the
	// check needs, and no other way to it exists.
	Unsupported Status = "unsupported"
	// NotRun: the run was interrupted (or reached its deadline) before the
	// check could finish.
	NotRun Status = "not-run"
)

// Check is one named check.
type Check struct {
	// ID is stable across releases; a filter selects checks by it.
	ID string
	// Group is the family (protocol, input, accept, transition, ...), used
	// for progress output and report grouping.
	Group string
	// Operation is the API operation under test.
	Operation string
	// Needs says what the check cannot do without.
	Needs Needs
	// After marks a check that judges what the others observed (run-wide
	// error checks): it runs once every other check has finished.
	After bool
	// Early marks a long check (a property: a sequence of calls, one at a
	// time): when checks run in parallel it runs in a lane of its own
	// beside the Parallel others, so that it overlaps the many short ones
	// instead of taking their places or finishing the run alone. A serial
	// run, and every report, keeps the list's order.
	Early bool
	// Run is the body.
	Run func(*T)
}

// Needs is what a check declares it cannot do without, so that a run can
// say before it starts which checks a target or a target file cannot
// serve.
type Needs struct {
	// Ops are operations the check calls with no other way around them
	// (the operation under test, above all). When one is known not to be
	// implemented the check is unsupported without being attempted.
	Ops []string
	// Principals is how many distinct accounts of each role the check uses
	// (management, recipient, member, outsider).
	Principals map[string]int
	// Invitations is how many invitations (InviteAccountToOrganization and
	// EnableAllFeatures handshakes) the check sends, for live-AWS budgets.
	Invitations int
}

// Result is the outcome of one check.
type Result struct {
	ID        string `json:"id"`
	Group     string `json:"group"`
	Operation string `json:"operation"`
	Status    Status `json:"status"`
	Expected  string `json:"expected"`
	Observed  string `json:"observed"`
	// Source cites where the expectation comes from (the reference page's
	// sentence, the model, or the assumption and its reasoning).
	Source string `json:"source,omitempty"`
	// Cause groups skipped and unsupported checks by what blocked them
	// (e.g. "DescribeHandshake not implemented").
	Cause string `json:"cause,omitempty"`
	// Exchange is every HTTP exchange of a failed check, numbered, secrets
	// redacted, capped in size.
	Exchange string `json:"exchange"`
	// Notes are observations that are not failures (e.g. output members the
	// contract does not know).
	Notes []string `json:"notes,omitempty"`
	// Requests is how many requests the check sent.
	Requests int `json:"requests"`
	// Examples is how many examples a property tried (0 for a written
	// check).
	Examples int           `json:"examples,omitempty"`
	Rerun    string        `json:"rerun"`
	Duration time.Duration `json:"-"`
	// Counterexample is a property's shrunk failing sequence, if any.
	Counterexample *Counterexample `json:"counterexample,omitempty"`
}

// Counterexample is a minimal failing sequence found by a property: its
// numbered steps, each with its HTTP exchange (secrets redacted), an aws
// CLI script that replays them, and the seed and command that reproduce
// the failure.
type Counterexample struct {
	Seed    string   `json:"seed"`
	Steps   []string `json:"steps"`
	Replay  string   `json:"replay"`
	Command string   `json:"command"`
}
