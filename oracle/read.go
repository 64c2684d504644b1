package oracle

import (
	"slices"

	"github.com/orgconform/orgconform/specs"
)

// Refusals are the errors that refuse a caller a handshake it may not
// see or act on: not found (it is no party), access denied (a party in
// the wrong role), or not in an organization (a caller in none), each
// where the operation documents it.
var refusals = []string{"HandshakeNotFoundException", "AccessDeniedException", "AWSOrganizationsNotInUseException"}

// Read returns what the contract allows when a caller in role (relative
// to a handshake of action: recipient, sender, member, outsider) reads
// with op (DescribeHandshake, ListHandshakesForAccount,
// ListHandshakesForOrganization): success for a role the permissions
// allow; a refusal for one they do not; either for one they leave
// undecided. ok is false when the permissions have no rule for op.
func Read(op, action, role string) (e Expectation, ok bool) {
	rule, ok := permission(op, action)
	if !ok {
		return Expectation{}, false
	}
	e = Expectation{Source: Citation(rule.Source, rule.Note), Codes: map[string][]string{}}
	allowed, undecided := slices.Contains(rule.Allowed, role), slices.Contains(rule.Undecided, role)
	e.Success = allowed || undecided
	if !allowed {
		e.Codes = Refusal(op).Codes
	}
	switch {
	case undecided:
		e.Why = "the sources neither allow nor forbid the handshake's " + role + " this read"
	case !allowed:
		e.Why = "the handshake's " + role + " may not see it"
	}
	return e, true
}

// Refusal is the Expectation of op refusing a caller a handshake it may
// not see or act on: one of the refusal errors op documents.
func Refusal(op string) Expectation {
	e := Expectation{Codes: map[string][]string{}}
	spec, _ := contract.Operation(op)
	for _, code := range refusals {
		if spec.Documents(code) {
			e.Codes[code] = nil
		}
	}
	return e
}

// permission returns the permissions rule of op for handshakes of action.
func permission(op, action string) (specs.Permission, bool) {
	for _, p := range contract.Permissions {
		if p.Operation == op && (p.Action == action || p.Action == "*") {
			return p, true
		}
	}
	return specs.Permission{}, false
}

// The expectations of calls that break a rule of the organization's state
// rather than a handshake's, as the written constraint scenarios and the
// generated models judge them.
var (
	// AlreadyMember: accepting an invitation while in another
	// organization.
	AlreadyMember = Expectation{Codes: map[string][]string{"HandshakeConstraintViolationException": {"ALREADY_IN_AN_ORGANIZATION"}},
		Source: "reference: HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION — the handshake request is invalid because the invited account is already a member of an organization"}
	// AlreadyManaging: accepting an invitation while managing an
	// organization of one's own, which one cannot leave.
	AlreadyManaging = Expectation{Codes: map[string][]string{"HandshakeConstraintViolationException": {"ALREADY_IN_AN_ORGANIZATION"}, "MasterCannotLeaveOrganizationException": nil},
		Why:    "the caller manages an organization of its own, which it cannot leave",
		Source: AlreadyMember.Source}
	// Duplicate: a second invitation of an account with one still open.
	Duplicate = Expectation{Codes: map[string][]string{"DuplicateHandshakeException": nil}, Why: "an open invitation to the same account exists",
		Source: "model: DuplicateHandshakeException — a handshake with the same action and target already exists"}
	// AllFeaturesAlready: EnableAllFeatures on an organization that has
	// all features.
	AllFeaturesAlready = Expectation{Codes: map[string][]string{"HandshakeConstraintViolationException": {"ORGANIZATION_ALREADY_HAS_ALL_FEATURES"}},
		Source: "reference: ORGANIZATION_ALREADY_HAS_ALL_FEATURES — the handshake request is invalid because the organization has already enabled all features"}
	// NotInUse: an organization operation by an account in no
	// organization.
	NotInUse = Expectation{Codes: map[string][]string{"AWSOrganizationsNotInUseException": nil}, Why: "the caller belongs to no organization",
		Source: "reference: AWSOrganizationsNotInUseException — your account isn't a member of an organization"}
)

// Either is an Expectation that allows what a or b allows: success when
// either does, moving to the State of the one that succeeds (any state,
// left to the caller to judge, when both succeed into different states).
func Either(a, b Expectation) Expectation {
	out := Expectation{Success: a.Success || b.Success, Codes: map[string][]string{}, Why: a.Why, Source: a.Source}
	switch {
	case a.Success && b.Success:
		if a.State == b.State {
			out.State = a.State
		}
	case a.Success:
		out.State = a.State
	case b.Success:
		out.State = b.State
	}
	for _, e := range []Expectation{a, b} {
		for code, reasons := range e.Codes {
			old, seen := out.Codes[code]
			switch {
			case !seen:
				out.Codes[code] = slices.Clone(reasons)
			case old == nil || reasons == nil:
				out.Codes[code] = nil
			default:
				for _, r := range reasons {
					if !slices.Contains(old, r) {
						old = append(old, r)
					}
				}
				out.Codes[code] = old
			}
		}
		out.Common = append(out.Common, e.Common...)
	}
	if b.Why != "" && b.Why != a.Why {
		out.Why = joinWhy(a.Why, b.Why)
	}
	if b.Source != "" && b.Source != a.Source {
		out.Source = joinWhy(a.Source, b.Source)
	}
	return out
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
