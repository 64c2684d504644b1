package oracle

import "github.com/orgconform/orgconform/specs"

// Transition returns what the transition table allows when op is called by
// a caller in role on a handshake of action in state: success moving it to
// a new state, one of the row's errors (with the row's reasons), or both
// where the sources allow both. ok is false when the table has no such row.
func Transition(action, state, op, role string) (Expectation, bool) {
	row, ok := contract.Transition(action, state, op, role)
	if !ok {
		return Expectation{}, false
	}
	return FromRow(row), true
}

// FromRow is the Expectation of one transition-table row.
func FromRow(row specs.Transition) Expectation {
	e := Expectation{Success: row.Outcome.State != "", State: row.Outcome.State,
		Codes: map[string][]string{}, Why: row.Note, Source: Citation(row.Source, row.Note)}
	for _, name := range row.Outcome.Errors {
		e.Codes[name] = rowReasons(row, name)
	}
	return e
}

// Transitions returns every row of the table.
func Transitions() []specs.Transition { return contract.Transitions }

// rowReasons returns the Reason values the row allows with error name
// (nil: any).
func rowReasons(row specs.Transition, name string) []string {
	return row.Outcome.Reasons[name]
}
