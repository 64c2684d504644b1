package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/specs"
)

// contract is the spec every check judges against.
var contract = specs.Must()

// Common-error categories (specs/errors.json acceptedWhere).
const (
	catAuth        = "auth"
	catDeserialize = "deserialize"
	catUnknownOp   = "unknown-operation"
	catThrottle    = "throttle"
	catInternal    = "internal"
	catSize        = "size"
)

// alwaysCommon are categories any call may meet without breaking the
// contract (throttling, internal failure); see retry and judgeError.
var alwaysCommon = []string{catThrottle, catInternal}

// expectation is an acceptable error answer: one of Codes (each with its
// allowed reasons, nil for no Reason requirement), or a common error of one
// of Common's categories.
type expectation struct {
	Codes  map[string][]string
	Common []string
	Why    string // the reasoning, shown with the expectation
}

func (e expectation) String() string {
	var parts []string
	for _, code := range sortedKeys(e.Codes) {
		if rs := e.Codes[code]; len(rs) > 0 {
			parts = append(parts, fmt.Sprintf("%s (Reason %s)", code, strings.Join(rs, " or ")))
		} else {
			parts = append(parts, code)
		}
	}
	for _, cat := range e.Common {
		parts = append(parts, strings.Join(contract.CommonErrorsFor(cat), " or ")+" ("+cat+")")
	}
	out := "HTTP error " + strings.Join(parts, ", or ")
	if e.Why != "" {
		out += " — " + e.Why
	}
	return out
}

// judgeError ends the check unless r is an error e accepts, with the status
// the spec gives that error and, where the exception has a reason enum, an
// allowed Reason.
// An answer e accepts is judged before asking whether the target supports
// the operation, so that a check expecting UnknownOperationException can pass.
func (t *T) judgeError(r *endpoint.Response, e expectation) {
	want := e.String()
	if r.Kind != endpoint.KindError {
		t.unsupportedIf(r)
		if r.OK() {
			t.Failf(r, want, "success (HTTP %d)", r.Status)
		}
		t.Failf(r, want, "%s", r.Summary())
	}
	if reasons, ok := e.Codes[r.Code]; ok {
		t.judgeStatus(r)
		if len(reasons) > 0 && !slices.Contains(reasons, r.Reason) {
			t.Failf(r, want, "%s with Reason %q", r.Code, r.Reason)
		}
		return
	}
	for _, cat := range e.Common {
		if slices.Contains(contract.CommonErrorsFor(cat), r.Code) {
			t.judgeStatus(r)
			return
		}
	}
	t.unsupportedIf(r)
	switch {
	case throttled(r):
		t.Failf(r, want, "%s: throttled on all %d attempts, so the check could not reach a verdict", r.Summary(), t.tries[r])
	case internal(r):
		t.Failf(r, want, "%s: an internal failure, so the check could not reach a verdict", r.Summary())
	}
	t.Failf(r, want, "%s", r.Summary())
}

// judgeStatus fails the check when r's HTTP status is not one the spec
// gives r.Code (the reference page's, or the newer model's).
func (t *T) judgeStatus(r *endpoint.Response) {
	if want, ok := statusesOf(r.Code); ok && !slices.Contains(want, r.Status) {
		t.Failf(r, fmt.Sprintf("%s with HTTP %s", r.Code, joinInts(want)), "%s with HTTP %d", r.Code, r.Status)
	}
}

// statusesOf returns the HTTP statuses the spec allows for an error code.
func statusesOf(code string) ([]int, bool) {
	if e, ok := contract.Error(code); ok {
		return e.Statuses(), true
	}
	if e, ok := contract.CommonError(code); ok {
		return []int{e.HTTPStatus}, true
	}
	return nil, false
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, " or ")
}

// transient reports whether r is throttling or an internal failure: answers
// any call may meet without breaking the contract.
func transient(r *endpoint.Response) bool { return throttled(r) || internal(r) }

// throttled reports whether r refused the call for its rate.
func throttled(r *endpoint.Response) bool {
	return r.Kind == endpoint.KindError &&
		(r.Code == "TooManyRequestsException" || slices.Contains(contract.CommonErrorsFor(catThrottle), r.Code))
}

// internal reports whether r is a failure inside the service.
func internal(r *endpoint.Response) bool {
	return r.Kind == endpoint.KindError &&
		(r.Code == "ServiceException" || slices.Contains(contract.CommonErrorsFor(catInternal), r.Code))
}

// reasonsOf returns the conforming values of the reason enum of exception
// code, or nil when it has none.
func reasonsOf(code string) []string {
	e, ok := contract.Error(code)
	if !ok || e.ReasonEnum == "" {
		return nil
	}
	en, _ := contract.Enum(e.ReasonEnum)
	return en.Conforming()
}

func codes(names ...string) map[string][]string {
	m := make(map[string][]string, len(names))
	for _, n := range names {
		m[n] = nil
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
