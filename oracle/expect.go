package oracle

import (
	"fmt"
	"slices"
	"strings"

	"github.com/orgconform/orgconform/specs"
)

// Expectation is what the contract allows as the answer to one call:
// success (when Success; moving a handshake to State when State is set),
// one of the errors in Codes (each with the Reason values it may carry; nil
// allows any), or a common error of one of the Common categories
// (authentication, deserialization, …). Why is the reasoning where the
// sources leave a choice; Source cites where the expectation comes from.
type Expectation struct {
	Success bool
	State   string
	Codes   map[string][]string
	Common  []string
	Why     string
	Source  string
}

// Errors is an Expectation of one of the named errors, with any Reason.
func Errors(names ...string) Expectation {
	m := make(map[string][]string, len(names))
	for _, n := range names {
		m[n] = nil
	}
	return Expectation{Codes: m}
}

// Invalid is an Expectation of InvalidInputException with one of reasons.
func Invalid(reasons ...string) Expectation {
	return Expectation{Codes: map[string][]string{"InvalidInputException": reasons}}
}

// Because returns e with Why set.
func (e Expectation) Because(why string) Expectation {
	e.Why = why
	return e
}

// Or returns e that also accepts the common errors of categories.
func (e Expectation) Or(categories ...string) Expectation {
	e.Common = append(slices.Clone(e.Common), categories...)
	return e
}

// String is the expected line of a report: "HTTP error A (Reason R or S),
// or B — why", or "success (state ACCEPTED)".
func (e Expectation) String() string {
	var parts []string
	if e.Success {
		if e.State != "" {
			parts = append(parts, "success with the handshake "+e.State)
		} else {
			parts = append(parts, "success")
		}
	}
	var errs []string
	for _, code := range sortedKeys(e.Codes) {
		if rs := e.Codes[code]; len(rs) > 0 {
			errs = append(errs, fmt.Sprintf("%s (Reason %s)", code, strings.Join(rs, " or ")))
		} else {
			errs = append(errs, code)
		}
	}
	for _, cat := range e.Common {
		errs = append(errs, strings.Join(contract.CommonErrorsFor(cat), " or ")+" ("+cat+")")
	}
	if len(errs) > 0 {
		parts = append(parts, "HTTP error "+strings.Join(errs, ", or "))
	}
	out := strings.Join(parts, ", or ")
	if out == "" {
		out = "no answer (the expectation is empty)"
	}
	if e.Why != "" {
		out += " — " + e.Why
	}
	return out
}

// Answer is what a target said, as far as a verdict needs it.
type Answer struct {
	Success bool   // a 2xx with a readable body
	State   string // on success, the State of the handshake answered, if any
	Status  int    // HTTP status; 0 when no response arrived
	Code    string // error code, read as clients read it
	Reason  string // error Reason member
	Summary string // one line describing the answer, for messages
}

// Verdict is the outcome of judging an Answer.
type Verdict struct {
	Pass bool
	// Inconclusive: the target throttled the call or failed inside, so it
	// neither met nor broke the expectation.
	Inconclusive bool
	Expected     string
	Observed     string
}

// Judge compares a with e. A success passes when e allows success (and the
// handshake's State is e.State, when set); an error passes when its code is
// one e allows, with an allowed Reason, and an HTTP status the spec gives
// that code (the page's or the model's).
func Judge(e Expectation, a Answer) Verdict {
	v := Verdict{Expected: e.String()}
	fail := func(format string, args ...any) Verdict {
		v.Observed = fmt.Sprintf(format, args...)
		return v
	}
	if a.Success {
		switch {
		case !e.Success:
			return fail("success (HTTP %d)", a.Status)
		case e.State != "" && a.State != e.State:
			return fail("success with the handshake %s", orNone(a.State))
		}
		v.Pass = true
		return v
	}
	if a.Code == "" {
		return fail("%s", a.Summary)
	}
	accepted := false
	if reasons, ok := e.Codes[a.Code]; ok {
		if len(reasons) > 0 && !reasonAllowed(a.Code, a.Reason, reasons) {
			return fail("%s with Reason %q", a.Code, a.Reason)
		}
		accepted = true
	}
	for _, cat := range e.Common {
		accepted = accepted || slices.Contains(contract.CommonErrorsFor(cat), a.Code)
	}
	if !accepted {
		if Transient(a.Code) {
			v.Inconclusive = true
		}
		return fail("%s", a.Summary)
	}
	if want, ok := Statuses(a.Code); ok && !slices.Contains(want, a.Status) {
		v.Expected = fmt.Sprintf("%s with HTTP %s", a.Code, joinInts(want))
		return fail("%s with HTTP %d", a.Code, a.Status)
	}
	v.Pass = true
	return v
}

// Citation is the source line of a spec fact: "reference: sentence",
// "model", or "assumption: reasoning".
func Citation(source specs.Source, note string) string {
	if note == "" {
		return string(source)
	}
	return string(source) + ": " + note
}

func orNone(s string) string {
	if s == "" {
		return "without a State"
	}
	return s
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, " or ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
