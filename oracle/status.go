package oracle

import (
	"slices"

	"github.com/orgconform/orgconform/specs"
)

// contract is the spec every judgement reads.
var contract = specs.Must()

// Common-error categories (specs/errors.json acceptedWhere).
const (
	CatAuth        = "auth"
	CatDeserialize = "deserialize"
	CatUnknownOp   = "unknown-operation"
	CatThrottle    = "throttle"
	CatInternal    = "internal"
	CatSize        = "size"
)

// Statuses returns the HTTP statuses the spec allows for an error code
// (the reference page's and the newer model's where they differ), and
// whether the spec knows the code.
func Statuses(code string) ([]int, bool) {
	if e, ok := contract.Error(code); ok {
		return e.Statuses(), true
	}
	if e, ok := contract.CommonError(code); ok {
		return commonStatuses(e), true
	}
	return nil, false
}

// Throttled reports whether code refuses a call for its rate (the call
// took no effect and may be retried).
func Throttled(code string) bool {
	return code == "TooManyRequestsException" || slices.Contains(contract.CommonErrorsFor(CatThrottle), code)
}

// Internal reports whether code is a failure inside the service (the call
// may have taken effect).
func Internal(code string) bool {
	return code == "ServiceException" || slices.Contains(contract.CommonErrorsFor(CatInternal), code)
}

// Transient reports whether code is throttling or an internal failure:
// answers any call may meet without breaking the contract, which leave a
// check without a verdict.
func Transient(code string) bool { return Throttled(code) || Internal(code) }

// Documented reports whether op documents the exception code, or code is a
// common error of one of the categories the call accepts, or transient.
func Documented(op, code string, common []string) bool {
	if spec, ok := contract.Operation(op); ok && spec.Documents(code) {
		return true
	}
	if Transient(code) {
		return true
	}
	for _, cat := range common {
		if slices.Contains(contract.CommonErrorsFor(cat), code) {
			return true
		}
	}
	return false
}

// Reasons returns the conforming values of the reason enum of exception
// code, or nil when it has none.
func Reasons(code string) []string {
	e, ok := contract.Error(code)
	if !ok || e.ReasonEnum == "" {
		return nil
	}
	en, _ := contract.Enum(e.ReasonEnum)
	return en.Conforming()
}

// commonStatuses returns the statuses a common error may carry.
func commonStatuses(e specs.CommonError) []int { return e.Statuses() }

// reasonAllowed reports whether reason, or another name of the same value
// (a reason the documentation still spells its older way), is one of
// allowed, the Reason values of exception code.
func reasonAllowed(code, reason string, allowed []string) bool {
	if slices.Contains(allowed, reason) {
		return true
	}
	e, ok := contract.Error(code)
	if !ok || e.ReasonEnum == "" {
		return false
	}
	en, _ := contract.Enum(e.ReasonEnum)
	for _, same := range en.Equivalents(reason) {
		if slices.Contains(allowed, same) {
			return true
		}
	}
	return false
}
