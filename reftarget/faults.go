package reftarget

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Fault is one named departure from the contract that the reference target
// can plant (Options.Fault, "runner --fault NAME"): a bug emulator authors
// really write, breaking one point of the contract. The same type describes
// the equivalent variants (Options.Variant): answers the sources allow where
// the target otherwise picks another, which every check must accept.
type Fault struct {
	// Name identifies it on the command line.
	Name string
	// Kind groups it by the kind of contract point: state, input, errors,
	// access, effects, shape, protocol, concurrency, time; "variant" for
	// the equivalent variants.
	Kind string
	// Point is what the fault does to the contract point it breaks (for a
	// variant: the choice it makes).
	Point string
	// Source is where the contract point is documented (for a variant: why
	// the choice is allowed).
	Source string
	// Tied are regular expressions of the ids of the checks that, by the
	// contract, must catch the fault: each must match at least one check,
	// and every check it matches must fail (or be unsupported, where the
	// fault makes an operation look unimplemented). Empty for variants.
	Tied []string

	plant func(s *Server)
}

// Faults returns the catalogue of faults, in order (by kind).
func Faults() []Fault { return slices.Clone(faults) }

// Variants returns the equivalent variants, in order.
func Variants() []Fault { return slices.Clone(variants) }

// lookupFault finds a fault or a variant by name.
func lookupFault(name string) (Fault, bool) {
	for _, list := range [][]Fault{faults, variants} {
		for _, f := range list {
			if f.Name == name {
				return f, true
			}
		}
	}
	return Fault{}, false
}

// validateNames reports an unknown Options.Fault or Options.Variant.
func (o Options) validateNames() error {
	check := func(flag, name string, list []Fault) error {
		if name == "" {
			return nil
		}
		for _, f := range list {
			if f.Name == name {
				return nil
			}
		}
		return fmt.Errorf("reftarget: %s: no %s named %q (runner faults lists them)", flag, strings.ToLower(flag), name)
	}
	if err := check("Fault", o.Fault, faults); err != nil {
		return err
	}
	return check("Variant", o.Variant, variants)
}

// Sources the catalogue cites.
const (
	srcTable       = "specs/transitions.json (the transition table)"
	srcID          = "reference: HandshakeId pattern ^h-[0-9a-z]{8,32}$, length at most 34, required"
	srcInvalid     = "reference: InvalidInputException names the broken constraint in Reason (INVALID_PATTERN, MAX_LENGTH_EXCEEDED, INPUT_REQUIRED, …)"
	srcPermissions = "specs/permissions.json (who may call what)"
	srcJoin        = "reference: accepting an invitation makes the account a member of the organization that sent it"
	srcLists       = "reference: an accepted handshake appears in the results of ListHandshakesForAccount and ListHandshakesForOrganization, in its state, for 30 days"
	srcShape       = "reference: AcceptHandshake response syntax (schemas/defs.schema.json Handshake)"
	srcProtocol    = "model: awsJson1_1 (errors carry their code in __type or X-Amzn-ErrorType, with the status of specs/errors.json)"
	srcExpiry      = "reference: an invitation expires 15 days after it was sent (sample ExpirationTimestamp − RequestedTimestamp = 1296000 s)"
	srcRetention   = "model: ListHandshakesForAccount — ACCEPTED, DECLINED, CANCELED and EXPIRED handshakes appear in the results for only 30 days after changing to that state; after that they are deleted and no longer accessible"
)

// The handshake operations that take a HandshakeId.
var idOps = []string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake", "DescribeHandshake"}

// faults is the catalogue. Each entry is a bug as an emulator author would
// write it, at the spot where it would be written; Tied names the checks
// the contract says must catch it, chosen from the contract point, not from
// what fails.
var faults = []Fault{
	// State transitions.
	{Name: "accept-accepted-again", Kind: "state",
		Point:  "accepting an ACCEPTED invitation again succeeds (accept is idempotent) instead of HandshakeAlreadyInStateException",
		Source: srcTable + ": INVITE ACCEPTED AcceptHandshake recipient → HandshakeAlreadyInStateException",
		Tied:   []string{`^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$`, `^sdk/AcceptHandshake/already-accepted$`},
		plant: func(s *Server) {
			s.hooks.state = func(s *Server, h *handshake, cur string, r response, now time.Time) (*apiError, bool) {
				if cur == stateAccepted && r.to == stateAccepted {
					return nil, true
				}
				return s.stateRefusal(h, cur, r, now), false
			}
		}},
	{Name: "decline-closed", Kind: "state",
		Point:  "DeclineHandshake only refuses an accepted handshake: a CANCELED or EXPIRED invitation becomes DECLINED",
		Source: srcTable + ": INVITE CANCELED/EXPIRED DeclineHandshake recipient → InvalidHandshakeTransitionException or HandshakeAlreadyInStateException",
		Tied:   []string{`^transition/INVITE/(CANCELED|EXPIRED)/DeclineHandshake/recipient$`},
		plant: func(s *Server) {
			s.setFrom("DeclineHandshake", stateRequested, stateOpen, stateCanceled, stateExpired)
		}},
	{Name: "cancel-accepted", Kind: "state",
		Point:  "CancelHandshake of an ACCEPTED invitation succeeds (the handshake reads CANCELED, the account stays a member)",
		Source: srcTable + ": INVITE ACCEPTED CancelHandshake sender → InvalidHandshakeTransitionException",
		Tied:   []string{`^transition/INVITE/ACCEPTED/CancelHandshake/sender$`},
		plant: func(s *Server) {
			s.setFrom("CancelHandshake", stateRequested, stateOpen, stateAccepted)
		}},
	{Name: "accept-declined", Kind: "state",
		Point:  "accepting a DECLINED invitation succeeds and joins the organization (accept checks the caller, not the state)",
		Source: srcTable + ": INVITE DECLINED AcceptHandshake recipient → InvalidHandshakeTransitionException",
		Tied:   []string{`^transition/INVITE/DECLINED/AcceptHandshake/recipient$`},
		plant: func(s *Server) {
			s.setFrom("AcceptHandshake", stateOpen, stateDeclined)
		}},
	{Name: "accept-again-invalid-transition", Kind: "state",
		Point:  "accepting an ACCEPTED handshake answers InvalidHandshakeTransitionException (every state but OPEN is an invalid transition), not HandshakeAlreadyInStateException",
		Source: srcTable + ": INVITE ACCEPTED AcceptHandshake recipient → HandshakeAlreadyInStateException (reference: the handshake is already in the requested state)",
		Tied:   []string{`^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$`, `^sdk/AcceptHandshake/already-accepted$`},
		plant: func(s *Server) {
			s.hooks.state = func(s *Server, h *handshake, cur string, r response, now time.Time) (*apiError, bool) {
				if r.to == stateAccepted && cur != stateOpen && (cur != stateRequested || h.action == actionInvite) {
					return newError(errInvalidTransition, "Handshake %s is %s.", h.id, cur), false
				}
				return s.stateRefusal(h, cur, r, now), false
			}
		}},
	{Name: "closed-already-in-state", Kind: "state",
		Point:  "any response to a closed handshake answers HandshakeAlreadyInStateException (\"already handled\"), also where the state differs",
		Source: srcTable + ": INVITE DECLINED AcceptHandshake recipient and ACCEPTED CancelHandshake sender → InvalidHandshakeTransitionException",
		Tied:   []string{`^transition/INVITE/DECLINED/AcceptHandshake/recipient$`, `^transition/INVITE/ACCEPTED/CancelHandshake/sender$`},
		plant: func(s *Server) {
			s.hooks.state = func(s *Server, h *handshake, cur string, r response, now time.Time) (*apiError, bool) {
				if !live(cur) {
					return newError(errAlreadyInState, "Handshake %s was already handled (%s).", h.id, cur), false
				}
				return s.stateRefusal(h, cur, r, now), false
			}
		}},
	{Name: "cancel-deletes", Kind: "state",
		Point:  "a canceled handshake is deleted at once (later calls get HandshakeNotFoundException) instead of staying CANCELED for 30 days",
		Source: srcRetention,
		Tied: []string{`^transition/INVITE/OPEN/CancelHandshake/sender$`, `^transition/INVITE/CANCELED/(AcceptHandshake|DeclineHandshake)/recipient$`,
			`^transition/INVITE/CANCELED/CancelHandshake/sender$`},
		plant: func(s *Server) { s.hooks.cancelDeletes = true }},

	// Input: the ID patterns and length limits of the operations.
	{Name: "accept-id-case-insensitive", Kind: "input",
		Point:  "AcceptHandshake matches the HandshakeId pattern ignoring case, so an upper-case id is looked up (HandshakeNotFoundException) instead of refused",
		Source: srcID,
		Tied:   []string{`^input/AcceptHandshake/upper-case$`, `^sdk/AcceptHandshake/invalid-pattern$`},
		plant: func(s *Server) {
			s.changeRule("AcceptHandshake", "HandshakeId", func(r *rule) { r.pattern = regexp.MustCompile("(?i)" + r.pattern.String()) })
		}},
	{Name: "decline-id-unanchored", Kind: "input",
		Point:  "DeclineHandshake searches the value for the HandshakeId pattern instead of matching it whole, so an id with spaces or other text around it is looked up",
		Source: srcID,
		Tied:   []string{`^input/DeclineHandshake/(surrounding-space|trailing-junk)$`},
		plant: func(s *Server) {
			s.changeRule("DeclineHandshake", "HandshakeId", func(r *rule) {
				r.pattern = regexp.MustCompile(strings.TrimSuffix(strings.TrimPrefix(r.pattern.String(), "^"), "$"))
			})
		}},
	{Name: "cancel-id-64", Kind: "input",
		Point:  "CancelHandshake allows 64 characters after h- (length 66) instead of 32 (34), so a 35-character id is looked up",
		Source: srcID,
		Tied:   []string{`^input/CancelHandshake/too-long$`},
		plant: func(s *Server) {
			s.changeRule("CancelHandshake", "HandshakeId", func(r *rule) {
				r.pattern, r.maxLen = regexp.MustCompile(`^h-[0-9a-z]{8,64}$`), intPtr(66)
			})
		}},
	{Name: "describe-id-unvalidated", Kind: "input",
		Point:  "DescribeHandshake looks any HandshakeId up without checking its pattern or length (HandshakeNotFoundException for malformed ids)",
		Source: srcID,
		Tied:   []string{`^input/DescribeHandshake/(upper-case|wrong-prefix|no-prefix|too-short|too-long|non-ascii|inner-space)$`},
		plant: func(s *Server) {
			s.changeRule("DescribeHandshake", "HandshakeId", func(r *rule) { r.pattern, r.maxLen = nil, nil })
		}},
	{Name: "empty-id-looked-up", Kind: "input",
		Point:  "an empty HandshakeId passes the required check (presence only) and every other constraint, and is looked up (HandshakeNotFoundException)",
		Source: srcID,
		Tied:   []string{`^input/(Accept|Decline|Cancel|Describe)Handshake/empty-id$`},
		plant: func(s *Server) {
			for _, op := range idOps {
				s.changeRule(op, "HandshakeId", func(r *rule) { r.emptyPasses = true })
			}
		}},
	{Name: "null-id-internal-failure", Kind: "input",
		Point:  "a JSON null HandshakeId reaches the handler, which fails (500 InternalFailure) instead of InvalidInputException INPUT_REQUIRED",
		Source: srcID + "; awsJson1_1 reads null as absent",
		Tied:   []string{`^input/(Accept|Decline|Cancel|Describe)Handshake/null-id$`},
		plant: func(s *Server) {
			for _, op := range idOps {
				s.changeRule(op, "HandshakeId", func(r *rule) { r.nullFails = true })
			}
		}},
	{Name: "remove-account-id-unvalidated", Kind: "input",
		Point:  "RemoveAccountFromOrganization looks any AccountId up without checking its pattern (AccountNotFoundException for \"12345\")",
		Source: "model: AccountId pattern ^\\d{12}$, length at most 12",
		Tied:   []string{`^input/RemoveAccountFromOrganization/(short-id|letters-id)$`},
		plant: func(s *Server) {
			s.changeRule("RemoveAccountFromOrganization", "AccountId", func(r *rule) { r.pattern, r.maxLen = nil, nil })
		}},
	{Name: "max-results-unchecked", Kind: "input",
		Point:  "the list operations take any MaxResults: 0 lists everything, 1000 is honoured, instead of InvalidInputException MIN_VALUE_EXCEEDED / MAX_VALUE_EXCEEDED",
		Source: "model: MaxResults between 1 and 20",
		Tied:   []string{`^input/(ListHandshakesForAccount|ListAccounts)/max-results-(zero|over-limit)$`},
		plant: func(s *Server) {
			for _, op := range []string{"ListHandshakesForAccount", "ListHandshakesForOrganization", "ListAccounts"} {
				s.changeRule(op, "MaxResults", func(r *rule) { r.min, r.max = nil, nil })
			}
		}},
	{Name: "notes-unbounded", Kind: "input",
		Point:  "InviteAccountToOrganization takes Notes of any length instead of InvalidInputException MAX_LENGTH_EXCEEDED past 1024 characters",
		Source: "model: HandshakeNotes at most 1024 characters",
		Tied:   []string{`^input/InviteAccountToOrganization/notes-too-long$`},
		plant: func(s *Server) {
			s.changeRule("InviteAccountToOrganization", "Notes", func(r *rule) { r.maxLen = nil })
		}},

	// Exceptions and reasons.
	{Name: "not-found-status-500", Kind: "errors",
		Point:  "HandshakeNotFoundException is sent with HTTP 500 (an exception class the web framework does not map falls to 500)",
		Source: "specs/errors.json: HandshakeNotFoundException is HTTP 400 (reference) or 404 (model)",
		Tied:   []string{`^input/(Accept|Decline|Cancel|Describe)Handshake/unknown-id$`, `^sdk/AcceptHandshake/not-found$`},
		plant:  func(s *Server) { s.status[errHandshakeNotFound] = http.StatusInternalServerError }},
	{Name: "reason-missing", Kind: "errors",
		Point:  "InvalidInputException is sent without its Reason member",
		Source: srcInvalid,
		Tied:   []string{`^input/AcceptHandshake/(upper-case|too-long|missing-id)$`, `^sdk/AcceptHandshake/invalid-pattern$`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.Type == errInvalidInput {
					e.Reason = ""
				}
			}
		}},
	{Name: "reason-target-id-pattern", Kind: "errors",
		Point:  "a malformed HandshakeId is refused with Reason INVALID_PATTERN_TARGET_ID (the enum's neighbour, meant for policy targets) instead of INVALID_PATTERN",
		Source: srcInvalid,
		Tied:   []string{`^input/(Accept|Decline)Handshake/(upper-case|wrong-prefix)$`, `^sdk/(Accept|Decline)Handshake/invalid-pattern$`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.Type == errInvalidInput && e.Reason == "INVALID_PATTERN" {
					e.Reason = "INVALID_PATTERN_TARGET_ID"
				}
			}
		}},
	{Name: "errors-plain-text", Kind: "errors",
		Point:  "error answers are plain text (\"HandshakeNotFoundException: …\", text/plain) with the right status but no X-Amzn-ErrorType and no JSON body",
		Source: srcProtocol,
		Tied:   []string{`^protocol/content-type/error$`, `^input/AcceptHandshake/(unknown-id|upper-case)$`, `^sdk/AcceptHandshake/not-found$`},
		plant: func(s *Server) {
			s.hooks.errorForm = func(w http.ResponseWriter, e *apiError) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(e.Status)
				fmt.Fprintf(w, "%s: %s\n", e.Type, e.Message)
			}
		}},
	{Name: "errors-status-200", Kind: "errors",
		Point:  "errors are sent with HTTP 200 (the error document is returned as the handler's result)",
		Source: srcProtocol,
		Tied: []string{`^protocol/content-type/error$`, `^input/AcceptHandshake/(unknown-id|upper-case)$`,
			`^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$`},
		plant: func(s *Server) {
			s.hooks.errorForm = func(w http.ResponseWriter, e *apiError) {
				writeError(okStatus{w}, e)
			}
		}},
	{Name: "errors-crash", Kind: "errors",
		Point:  "every error answer is the web framework's HTML 500 page: the error handler itself raises (an exception class the serializer cannot encode), so every refusal crashes while every valid call succeeds",
		Source: srcProtocol,
		Tied:   []string{`^input/AcceptHandshake/(unknown-id|upper-case)$`, `^sdk/AcceptHandshake/not-found$`, `^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$`},
		plant: func(s *Server) {
			s.hooks.errorForm = func(w http.ResponseWriter, _ *apiError) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte("<!doctype html><html><title>500 Internal Server Error</title><h1>Internal Server Error</h1></html>"))
			}
		}},
	{Name: "already-member-wrong-exception", Kind: "errors",
		Point:  "accepting while a member of another organization is ConstraintViolationException (Reason ALREADY_IN_AN_ORGANIZATION) instead of HandshakeConstraintViolationException",
		Source: "reference: HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION — the invited account is already a member of an organization",
		Tied:   []string{`^constraint/accept/already-in-another-organization$`, `^sdk/AcceptHandshake/already-in-another-organization$`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.Type == errHandshakeConstraint && e.Reason == "ALREADY_IN_AN_ORGANIZATION" {
					e.Type = errConstraintViolation
				}
			}
		}},
	{Name: "duplicate-wrong-exception", Kind: "errors",
		Point:  "a second open invitation of the same account is DuplicateAccountException (the exception of CreateAccount) instead of DuplicateHandshakeException",
		Source: "model: DuplicateHandshakeException — a handshake with the same action and target already exists",
		Tied:   []string{`^constraint/invite/duplicate$`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.Type == errDuplicateHandshake {
					e.Type = "DuplicateAccountException"
				}
			}
		}},
	{Name: "already-in-state-as-not-found", Kind: "errors",
		Point:  "HandshakeAlreadyInStateException is mapped to HandshakeNotFoundException (the emulator's error table maps both to 'no open handshake')",
		Source: srcTable + ": INVITE ACCEPTED AcceptHandshake recipient → HandshakeAlreadyInStateException",
		Tied:   []string{`^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$`, `^sdk/AcceptHandshake/already-accepted$`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.Type == errAlreadyInState {
					e.Type = errHandshakeNotFound
				}
			}
		}},
	{Name: "refusals-as-concurrent-modification", Kind: "errors",
		Point:  "every refusal of AcceptHandshake is ConcurrentModificationException (a catch-all 'try again')",
		Source: "reference: AcceptHandshake errors; each refusal has its own exception (InvalidInputException, HandshakeAlreadyInStateException, …)",
		Tied:   []string{`^input/AcceptHandshake/upper-case$`, `^transition/INVITE/ACCEPTED/AcceptHandshake/recipient$`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.op == "AcceptHandshake" {
					e.Type, e.Reason = errConcurrentModification, ""
				}
			}
		}},
	{Name: "refusals-as-service-exception", Kind: "errors",
		Point:  "every refusal of DeclineHandshake is ServiceException with HTTP 500 (the handler's exceptions are not mapped)",
		Source: "reference: DeclineHandshake errors; ServiceException is a failure inside the service, not a refusal",
		Tied:   []string{`^input/DeclineHandshake/upper-case$`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.op == "DeclineHandshake" {
					e.Type, e.Reason = "ServiceException", ""
				}
			}
		}},
	{Name: "not-in-use-as-access-denied", Kind: "errors",
		Point:  "an account in no organization gets AccessDeniedException (the permission check runs first and denies) instead of AWSOrganizationsNotInUseException",
		Source: "reference: AWSOrganizationsNotInUseException — your account isn't a member of an organization",
		Tied:   []string{`^constraint/not-in-organization/`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.Type == errNotInUse {
					e.Type = errAccessDenied
				}
			}
		}},
	{Name: "not-found-undocumented", Kind: "errors",
		Point:  "an unknown handshake is ResourceNotFoundException (a generic name) instead of HandshakeNotFoundException",
		Source: "reference: AcceptHandshake errors (HandshakeNotFoundException)",
		Tied:   []string{`^input/AcceptHandshake/unknown-id$`, `^errors/AcceptHandshake/documented$`},
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.Type == errHandshakeNotFound {
					e.Type = "ResourceNotFoundException"
				}
			}
		}},

	// Who may call, who may see.
	{Name: "accept-by-anyone", Kind: "access",
		Point:  "AcceptHandshake looks the id up for any caller and lets the caller join: an account the invitation is not addressed to accepts it",
		Source: srcPermissions + ": AcceptHandshake of an INVITE is the recipient's",
		Tied:   []string{`^transition/INVITE/OPEN/AcceptHandshake/outsider$`},
		plant: func(s *Server) {
			s.setMayCall("AcceptHandshake", func(*handshake, string) bool { return true })
			s.hooks.anyoneMay = map[string]bool{"AcceptHandshake": true}
		}},
	{Name: "decline-by-sender", Kind: "access",
		Point:  "DeclineHandshake lets either party decline: the management account declines its own invitation",
		Source: srcPermissions + ": DeclineHandshake is the recipient's (model: only the account that receives a handshake)",
		Tied:   []string{`^transition/INVITE/OPEN/DeclineHandshake/sender$`, `^sdk/DeclineHandshake/declined-by-sender$`},
		plant:  func(s *Server) { s.setMayCall("DeclineHandshake", (*handshake).isParty) }},
	{Name: "cancel-by-recipient", Kind: "access",
		Point:  "CancelHandshake lets either party cancel: the invited account cancels the invitation",
		Source: srcPermissions + ": CancelHandshake is the sender's (model: the recipient of the handshake can't cancel it)",
		Tied:   []string{`^transition/INVITE/OPEN/CancelHandshake/recipient$`},
		plant:  func(s *Server) { s.setMayCall("CancelHandshake", (*handshake).isParty) }},
	{Name: "describe-any-handshake", Kind: "access",
		Point:  "DescribeHandshake shows any handshake to any caller",
		Source: srcPermissions + ": DescribeHandshake shows a handshake to its recipient and sender; an outsider is no party",
		Tied:   []string{`^access/DescribeHandshake/outsider$`},
		plant:  func(s *Server) { s.hooks.anyoneMay = map[string]bool{"DescribeHandshake": true} }},
	{Name: "list-for-account-all", Kind: "access",
		Point:  "ListHandshakesForAccount lists every handshake of the target, not those addressed to the caller",
		Source: srcPermissions + ": ListHandshakesForAccount lists the handshakes the caller received",
		Tied:   []string{`^access/ListHandshakesForAccount/outsider$`},
		plant:  func(s *Server) { s.hooks.listAll = true }},
	{Name: "list-for-organization-members", Kind: "access",
		Point:  "ListHandshakesForOrganization answers any member account of the organization",
		Source: srcPermissions + ": ListHandshakesForOrganization is the management account's (model: or a delegated administrator's)",
		Tied:   []string{`^access/ListHandshakesForOrganization/member$`},
		plant:  func(s *Server) { s.hooks.memberMay = map[string]bool{"ListHandshakesForOrganization": true} }},
	{Name: "list-accounts-members", Kind: "access",
		Point:  "ListAccounts answers any member account of the organization",
		Source: "model: ListAccounts — you can only call this operation from the management account or a member account that is a delegated administrator",
		Tied:   []string{`^access/ListAccounts/member$`},
		plant:  func(s *Server) { s.hooks.memberMay = map[string]bool{"ListAccounts": true} }},
	{Name: "one-account-for-all", Kind: "access",
		Point:  "every caller is served as one account (123456789012, moto's default), whatever account its credentials name",
		Source: "SigV4: a request is made as the account its credentials belong to; model: Organization.MasterAccountId is the management account's id",
		Tied:   []string{`^protocol/caller-identity$`},
		plant:  func(s *Server) { s.sharedAccount = true }},
	{Name: "invite-by-member", Kind: "access",
		Point:  "InviteAccountToOrganization lets any member account invite into its organization",
		Source: srcPermissions + ": InviteAccountToOrganization is the management account's (model: you can only call this operation from the management account)",
		Tied:   []string{`^access/InviteAccountToOrganization/member$`},
		plant:  func(s *Server) { s.hooks.memberMay = map[string]bool{"InviteAccountToOrganization": true} }},

	// Side effects.
	{Name: "accept-without-joining", Kind: "effects",
		Point:  "accepting an invitation marks it ACCEPTED but never adds the account to the organization",
		Source: srcJoin,
		Tied:   []string{`^accept/success/(describe-organization|list-accounts)$`},
		plant:  func(s *Server) { s.effects[actionInvite] = nil }},
	{Name: "accept-joins-first-organization", Kind: "effects",
		Point:  "accepting an invitation joins the first organization the target ever created (the emulator keeps one organization object), not the one that sent it",
		Source: srcJoin,
		Tied:   []string{`^accept/success/(describe-organization|list-accounts)$`},
		plant:  func(s *Server) { s.hooks.joinFirstOrg = true }},
	{Name: "list-accounts-duplicates", Kind: "effects",
		Point:  "ListAccounts lists every account that joined by invitation twice (the organization's accounts and its invited accounts are concatenated)",
		Source: srcJoin + "; ListAccounts lists the organization's accounts",
		Tied:   []string{`^accept/success/list-accounts$`},
		plant:  func(s *Server) { s.hooks.duplicateAccounts = true }},
	{Name: "stale-account-list", Kind: "effects",
		Point:  "ListHandshakesForAccount shows every handshake as it was sent (the recipient's copy is never updated)",
		Source: srcLists,
		Tied:   []string{`^accept/success/list-handshakes-for-account$`},
		plant:  func(s *Server) { s.hooks.staleLists = map[string]bool{"ListHandshakesForAccount": true} }},
	{Name: "stale-organization-list", Kind: "effects",
		Point:  "ListHandshakesForOrganization shows every handshake as it was sent (the organization's copy is never updated)",
		Source: srcLists,
		Tied:   []string{`^accept/success/list-handshakes-for-organization$`},
		plant:  func(s *Server) { s.hooks.staleLists = map[string]bool{"ListHandshakesForOrganization": true} }},
	{Name: "duplicate-invitations", Kind: "effects",
		Point:  "a second invitation of an account with one still open is sent (no duplicate check)",
		Source: "model: DuplicateHandshakeException — a handshake with the same action and target already exists",
		Tied:   []string{`^constraint/invite/duplicate$`},
		plant:  func(s *Server) { s.hooks.allowDuplicates = true }},
	{Name: "accept-moves-member", Kind: "effects",
		Point:  "an account that belongs to another organization leaves it to accept an invitation, instead of being refused",
		Source: "reference: HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION",
		Tied:   []string{`^constraint/accept/already-in-another-organization$`, `^sdk/AcceptHandshake/already-in-another-organization$`},
		plant:  func(s *Server) { s.hooks.moveMember = true }},

	// Response shape.
	{Name: "accept-answers-before", Kind: "shape",
		Point:  "AcceptHandshake answers the handshake as it was before the call (State OPEN), rendered before the update",
		Source: srcShape + "; the sample answers State ACCEPTED",
		Tied:   []string{`^accept/success/response$`, `^transition/INVITE/OPEN/AcceptHandshake/recipient$`, `^golden/AcceptHandshake/sample-response$`},
		plant:  func(s *Server) { s.hooks.renderBefore = true }},
	{Name: "timestamps-iso8601", Kind: "shape",
		Point:  "timestamps are ISO 8601 strings (\"2024-05-01T12:00:00Z\", a JSON encoder's default for dates) instead of epoch seconds",
		Source: srcShape + "; awsJson1_1 timestamps are epoch seconds",
		Tied:   []string{`^accept/success/(schema|expiry-15-days|sdk)$`, `^responses/AcceptHandshake/schema$`},
		plant:  func(s *Server) { s.hooks.body = rewriteTimestamps(isoTimestamp) }},
	{Name: "timestamps-milliseconds", Kind: "shape",
		Point:  "timestamps are epoch milliseconds (a JavaScript Date.now()) instead of epoch seconds",
		Source: srcShape + "; awsJson1_1 timestamps are epoch seconds",
		Tied:   []string{`^accept/success/expiry-15-days$`},
		plant:  func(s *Server) { s.hooks.body = rewriteTimestamps(millisecondTimestamp) }},
	{Name: "arn-without-organization", Kind: "shape",
		Point:  "handshake ARNs leave out the organization and the action (arn:aws:organizations::<account>:handshake/h-…)",
		Source: "model: HandshakeArn pattern ^arn:aws:organizations::\\d{12}:handshake\\/o-[a-z0-9]{10,32}\\/[a-z_]{1,32}\\/h-[0-9a-z]{8,32}",
		Tied:   []string{`^accept/success/(response|schema|sdk)$`},
		plant:  func(s *Server) { s.hooks.body = rewriteStrings(shortArn) }},
	{Name: "organization-id-8-chars", Kind: "shape",
		Point:  "organization ids have 8 characters after o- (the handshake id's minimum) instead of 10 to 32",
		Source: "model: OrganizationId pattern ^o-[a-z0-9]{10,32}$ (and the ARNs that contain it)",
		Tied:   []string{`^accept/success/(response|schema)$`, `^responses/CreateOrganization/schema$`},
		plant:  func(s *Server) { s.orgIDLen = 8 }},
	{Name: "handshake-without-parties", Kind: "shape",
		Point:  "handshakes are answered without Parties and Resources (the emulator never filled them in)",
		Source: srcShape + ": every handshake carries Parties and Resources",
		Tied:   []string{`^accept/success/(response|schema)$`, `^golden/AcceptHandshake/sample-response$`},
		plant:  func(s *Server) { s.hooks.body = rewriteHandshakes(dropMembers("Parties", "Resources")) }},
	{Name: "party-type-lower-case", Kind: "shape",
		Point:  "party types are lower case (\"account\", \"organization\") instead of the HandshakePartyType enum's values",
		Source: "model: HandshakePartyType ACCOUNT | ORGANIZATION | EMAIL",
		Tied:   []string{`^accept/success/(response|schema)$`},
		plant:  func(s *Server) { s.hooks.body = rewriteHandshakes(lowerPartyTypes) }},
	{Name: "sender-account-party", Kind: "shape",
		Point:  "invitations list the management account as an ACCOUNT party beside the organization and the invited party",
		Source: "reference: the sample response's parties are the ORGANIZATION and the invited EMAIL (specs/transitions.json lifecycle INVITE partyTypes)",
		Tied:   []string{`^golden/AcceptHandshake/sample-response$`},
		plant: func(s *Server) {
			s.hooks.body = rewriteHandshakes(func(h map[string]any) {
				arn, _ := h["Arn"].(string)
				if m := handshakeArnAccount.FindStringSubmatch(arn); m != nil && h["Action"] == actionInvite {
					h["Parties"] = append(h["Parties"].([]any), map[string]any{"Id": m[1], "Type": partyAccount})
				}
			})
		}},
	{Name: "empty-lists-null", Kind: "shape",
		Point:  "an empty list is answered as null ({\"Handshakes\": null}: a nil slice encoded) instead of []",
		Source: "schemas/ListHandshakesForAccount/response.schema.json: Handshakes is an array",
		Tied:   []string{`^responses/ListHandshakesForAccount/schema$`},
		plant:  func(s *Server) { s.hooks.body = rewriteEmptyLists }},

	// Protocol.
	{Name: "accept-crashes", Kind: "protocol",
		Point:  "AcceptHandshake crashes: the web framework's HTML 500 page for every call",
		Source: "reference: AcceptHandshake answers the handshake or a documented exception",
		Tied:   []string{`^accept/success/(response|sdk)$`},
		plant: func(s *Server) {
			s.hooks.crash = map[string]bool{"AcceptHandshake": true}
		}},
	{Name: "no-request-id", Kind: "protocol",
		Point:  "no x-amzn-RequestId header on any answer",
		Source: "reference: the sample response carries x-amzn-RequestId",
		Tied:   []string{`^protocol/request-id/(success|error)$`},
		plant:  func(s *Server) { s.hooks.noRequestID = true }},
	{Name: "no-request-id-on-errors", Kind: "protocol",
		Point:  "errors carry no x-amzn-RequestId (the error path writes its own headers)",
		Source: "model: every AWS answer carries x-amzn-RequestId",
		Tied:   []string{`^protocol/request-id/error$`},
		plant:  func(s *Server) { s.hooks.noErrorRequestID = true }},
	{Name: "content-type-html", Kind: "protocol",
		Point:  "success answers say Content-Type text/html; charset=utf-8 (the web framework's default for a string)",
		Source: "model: awsJson1_1 answers application/x-amz-json-1.1",
		Tied:   []string{`^protocol/content-type/success$`},
		plant:  func(s *Server) { s.hooks.contentType = "text/html; charset=utf-8" }},
	{Name: "unknown-operation-404", Kind: "protocol",
		Point:  "an unknown X-Amz-Target gets the web framework's 404 HTML page instead of UnknownOperationException",
		Source: "model: awsJson1_1 services answer an unknown X-Amz-Target with UnknownOperationException",
		Tied:   []string{`^protocol/unknown-operation$`},
		plant: func(s *Server) {
			s.hooks.unknownOperation = func(w http.ResponseWriter) bool {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte("<!doctype html><html><title>404 Not Found</title><h1>Not Found</h1></html>"))
				return true
			}
		}},
	{Name: "unsigned-requests-served", Kind: "protocol",
		Point:  "a request without Authorization is served as the default account instead of refused",
		Source: "model: every AWS action requires SigV4 authentication (MissingAuthenticationTokenException)",
		Tied:   []string{`^protocol/missing-authentication$`},
		plant:  func(s *Server) { s.hooks.unsigned = true }},
	{Name: "oversized-request-html", Kind: "protocol",
		Point:  "a request body over 1 MiB gets the reverse proxy's HTML 413 page instead of an AWS error",
		Source: "specs/errors.json: RequestEntityTooLargeException (size), or InvalidInputException for the id",
		Tied:   []string{`^protocol/oversized-request$`},
		plant: func(s *Server) {
			s.hooks.tooLarge = func(w http.ResponseWriter) bool {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				_, _ = w.Write([]byte("<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>"))
				return true
			}
		}},

	// Concurrency.
	{Name: "double-accept", Kind: "concurrency",
		Point:  "AcceptHandshake checks the state on a replica refreshed every 250 ms, and adding a member twice is harmless: of two simultaneous accepts both succeed",
		Source: "reference: a handshake can be accepted once; model: ConcurrentModificationException for simultaneous changes",
		Tied:   []string{`^accept/success/concurrent$`},
		plant: func(s *Server) {
			s.hooks.staleReads = map[string]time.Duration{"AcceptHandshake": staleness}
			s.effects[actionInvite] = (*Server).joinOnce
		}},
	{Name: "lost-member-update", Kind: "concurrency",
		Point:  "accepting an invitation adds the account to the organization's member list as read from a cache refreshed every 250 ms, and writes that list back: of two accounts that join within 250 ms (at once, or one right after the other), one is lost from ListAccounts though both were told they joined",
		Source: "reference: accepting an invitation makes the account a member of the organization; model: ListAccounts lists the accounts in the organization",
		Tied:   []string{`^accept/success/concurrent-members$`},
		plant:  func(s *Server) { s.effects[actionInvite] = staleMembers{}.join }},
	{Name: "concurrent-duplicate-invitations", Kind: "concurrency",
		Point:  "InviteAccountToOrganization looks for an open invitation in an index refreshed every 250 ms: two simultaneous invitations of one account both succeed",
		Source: "model: DuplicateHandshakeException — a handshake with the same action and target already exists",
		Tied:   []string{`^constraint/invite/concurrent-duplicate$`},
		plant: func(s *Server) {
			s.hooks.staleReads = map[string]time.Duration{"InviteAccountToOrganization": staleness}
		}},

	// Time.
	{Name: "never-expire", Kind: "time",
		Point:  "invitations never expire: ExpirationTimestamp is written but never compared with the clock",
		Source: srcExpiry,
		Tied:   []string{`^transition/INVITE/EXPIRED/`},
		plant:  func(s *Server) { s.hooks.neverExpire = true }},
	{Name: "expired-still-answerable", Kind: "time",
		Point:  "an expired invitation reads EXPIRED but can still be accepted, declined or canceled (the responses check the stored state)",
		Source: srcTable + ": INVITE EXPIRED → InvalidHandshakeTransitionException or HandshakeAlreadyInStateException",
		Tied:   []string{`^transition/INVITE/EXPIRED/(AcceptHandshake|DeclineHandshake)/recipient$`, `^transition/INVITE/EXPIRED/CancelHandshake/sender$`},
		plant:  func(s *Server) { s.hooks.storedState = true }},
	{Name: "expiry-14-days", Kind: "time",
		Point:  "invitations expire 14 days after they are sent instead of 15",
		Source: srcExpiry,
		Tied:   []string{`^accept/success/expiry-15-days$`},
		plant:  func(s *Server) { s.expiry[actionInvite] = 14 * 24 * time.Hour }},
	{Name: "expired-forgotten", Kind: "time",
		Point:  "an expired invitation is deleted when it expires (HandshakeNotFoundException) instead of reading EXPIRED for 30 days",
		Source: srcRetention,
		Tied:   []string{`^transition/INVITE/EXPIRED/(AcceptHandshake|DeclineHandshake)/recipient$`},
		plant:  func(s *Server) { s.hooks.expiredGone = true }},
	{Name: "retention-forever", Kind: "time",
		Point:  "closed handshakes are kept forever (lists and DescribeHandshake show them after 30 days)",
		Source: srcRetention,
		Tied:   []string{`^time/retention$`},
		plant:  func(s *Server) { s.retention = 100 * 365 * 24 * time.Hour }},
	{Name: "retention-one-day", Kind: "time",
		Point:  "closed handshakes are deleted one day after they closed instead of 30",
		Source: srcRetention,
		Tied:   []string{`^time/retention$`},
		plant:  func(s *Server) { s.retention = 24 * time.Hour }},
}

// staleness is how old the state a stale read sees may be: far longer than
// two simultaneous calls take to arrive, however loaded the machine.
const staleness = 250 * time.Millisecond

// raceWindow is how long an operation that locks optimistically holds a
// handshake between its check and its change.
const raceWindow = 20 * time.Millisecond

// variants are the equivalent variants: each makes one choice the sources
// allow where the reference target makes another.
var variants = []Fault{
	{Name: "error-code-in-header", Kind: "variant",
		Point:  "the error code only in X-Amzn-ErrorType, with the ':' suffix AWS's front end adds (Name:http://internal.amazon.com/coral/com.amazonaws.organizations/); no __type in the body",
		Source: "awsJson1_1 (smithy): clients read X-Amzn-ErrorType first and drop everything from ':'",
		plant: func(s *Server) {
			s.hooks.errorForm = func(w http.ResponseWriter, e *apiError) {
				w.Header().Set("X-Amzn-ErrorType", e.Type+":http://internal.amazon.com/coral/com.amazonaws.organizations/")
				writeJSON(w, e.Status, struct {
					Message string `json:"Message"`
					Reason  string `json:"Reason,omitempty"`
				}{e.Message, e.Reason})
			}
		}},
	{Name: "error-type-namespaced", Kind: "variant",
		Point:  "__type with a namespace prefix (com.amazonaws.organizations.v20161128#Name) and no X-Amzn-ErrorType header",
		Source: "awsJson1_1 (smithy): clients drop everything up to '#'",
		plant: func(s *Server) {
			s.hooks.errorForm = func(w http.ResponseWriter, e *apiError) {
				writeJSON(w, e.Status, errorBody{Type: "com.amazonaws.organizations.v20161128#" + e.Type, Message: e.Message, Reason: e.Reason})
			}
		}},
	{Name: "message-lower-case", Kind: "variant",
		Point:  "the error text in \"message\" instead of \"Message\"",
		Source: "awsJson1_1 (smithy): clients read the message member case-insensitively (LocalStack sends \"message\")",
		plant: func(s *Server) {
			s.hooks.errorForm = func(w http.ResponseWriter, e *apiError) {
				w.Header().Set("X-Amzn-ErrorType", e.Type)
				writeJSON(w, e.Status, struct {
					Type    string `json:"__type"`
					Message string `json:"message"`
					Reason  string `json:"Reason,omitempty"`
				}{e.Type, e.Message, e.Reason})
			}
		}},
	{Name: "extra-members", Kind: "variant",
		Point:  "unknown members in every answer: at the top of every body, in every handshake, party, resource and organization",
		Source: "AWS adds output members over time; every SDK ignores members it does not know",
		plant:  func(s *Server) { s.hooks.body = rewriteJSON(addExtraMembers) }},
	{Name: "other-messages", Kind: "variant",
		Point:  "other error message texts",
		Source: "the message text is free text: clients show it, never parse it",
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) { e.Message = "The request was refused (" + strings.ToLower(e.Type) + ")." }
		}},
	{Name: "ids-shortest", Kind: "variant",
		Point:  "handshake ids of exactly 8 characters after h-, organization ids of exactly 10 after o-",
		Source: "model: HandshakeId ^h-[0-9a-z]{8,32}$, OrganizationId ^o-[a-z0-9]{10,32}$",
		plant:  func(s *Server) { s.handshakeIDLen, s.orgIDLen = 8, 10 }},
	{Name: "ids-longest", Kind: "variant",
		Point:  "handshake ids of exactly 32 characters after h-, organization ids of exactly 32 after o-",
		Source: "model: HandshakeId ^h-[0-9a-z]{8,32}$, OrganizationId ^o-[a-z0-9]{10,32}$",
		plant:  func(s *Server) { s.handshakeIDLen, s.orgIDLen = 32, 32 }},
	{Name: "json-layout", Kind: "variant",
		Point:  "every JSON body with its members in reverse order and indented over several lines",
		Source: "JSON: member order and whitespace carry no meaning",
		plant:  func(s *Server) { s.hooks.body = reverseIndented }},
	{Name: "invitations-start-requested", Kind: "variant",
		Point:  "invitations are REQUESTED until the invited account answers (accepted, declined or canceled from REQUESTED)",
		Source: "model: HandshakeState REQUESTED — awaiting a response from the recipient; the transition table's REQUESTED INVITE rows give the same answers as OPEN's",
		plant: func(s *Server) {
			s.initial[actionInvite] = stateRequested
			s.setFrom("AcceptHandshake", stateOpen, stateRequested)
		}},
	{Name: "model-statuses", Kind: "variant",
		Point:  "errors with the HTTP statuses of the Go SDK's model (403, 404, 409, 429) instead of the reference page's 400",
		Source: "specs/errors.json modelHttpStatus (drift: the page says 400, the newer model 403/404/409/429; clients map errors by code)",
		plant: func(s *Server) {
			for _, e := range s.contract.Errors {
				if e.ModelHTTPStatus != 0 {
					s.status[e.Name] = e.ModelHTTPStatus
				}
			}
		}},
	{Name: "content-type-json", Kind: "variant",
		Point:  "success answers with Content-Type application/json",
		Source: "reference: the sample response says Content-Type application/json",
		plant:  func(s *Server) { s.hooks.contentType = "application/json" }},
	{Name: "non-party-access-denied", Kind: "variant",
		Point:  "a caller who is no party to an existing handshake gets AccessDeniedException instead of HandshakeNotFoundException",
		Source: srcTable + ": a member or outsider may get AccessDeniedException or HandshakeNotFoundException",
		plant:  func(s *Server) { s.hooks.nonPartyDenied = true }},
	{Name: "pattern-before-length", Kind: "variant",
		Point:  "the HandshakeId pattern is checked before its length: a 35-character id is INVALID_PATTERN, not MAX_LENGTH_EXCEEDED",
		Source: srcID + " (the sources do not order the checks)",
		plant: func(s *Server) {
			for _, op := range idOps {
				s.changeRule(op, "HandshakeId", func(r *rule) { r.maxLen = nil })
			}
		}},
	{Name: "empty-id-required", Kind: "variant",
		Point:  "an empty HandshakeId is read as missing: INPUT_REQUIRED instead of INVALID_PATTERN",
		Source: srcID + " (an empty string is missing, too short or off-pattern; the reference does not say which)",
		plant: func(s *Server) {
			for _, op := range idOps {
				s.changeRule(op, "HandshakeId", func(r *rule) { r.emptyRequired = true })
			}
		}},
	{Name: "auth-status-400", Kind: "variant",
		Point:  "a request without Authorization gets MissingAuthenticationTokenException with HTTP 400 instead of 403",
		Source: "specs/errors.json: MissingAuthenticationTokenException 400 or 403",
		plant:  func(s *Server) { s.status[errMissingToken] = http.StatusBadRequest }},
	{Name: "concurrent-modification", Kind: "variant",
		Point:  "an accept that meets another accept of the same handshake in progress gets ConcurrentModificationException (optimistic locking)",
		Source: "model: ConcurrentModificationException — the target of the operation is being modified by a different request",
		plant: func(s *Server) {
			s.hooks.racy = map[string]time.Duration{"AcceptHandshake": raceWindow}
			s.hooks.busy = true
		}},
	{Name: "oversized-read", Kind: "variant",
		Point:  "a 2 MiB request body is read, and its HandshakeId refused as MAX_LENGTH_EXCEEDED",
		Source: "specs/errors.json: a body over the size limit may be refused as too large or read and judged",
		plant:  func(s *Server) { s.maxBody = 4 << 20 }},
	{Name: "parties-reversed", Kind: "variant",
		Point:  "Parties in the other order: the addressed party first, the organization second",
		Source: "specs/transitions.json lifecycle INVITE shapeNote: the parties may come in either order (examples-1 DeclineHandshake lists the account first)",
		plant:  func(s *Server) { s.hooks.body = rewriteHandshakes(reverseParties) }},
	{Name: "manager-cannot-leave", Kind: "variant",
		Point:  "an invited account that manages an organization of its own gets MasterCannotLeaveOrganizationException when it accepts",
		Source: "model: MasterCannotLeaveOrganizationException; the management account cannot leave its organization",
		plant:  func(s *Server) { s.hooks.masterCannotLeave = true }},
	{Name: "newline-tolerant-pattern", Kind: "variant",
		Point:  "the HandshakeId pattern's $ matches before a final newline (Java's regular expressions), so \"h-…\\n\" is looked up",
		Source: srcID + "; a Java service's pattern check lets a final newline through",
		plant: func(s *Server) {
			for _, op := range idOps {
				s.changeRule(op, "HandshakeId", func(r *rule) { r.pattern = regexp.MustCompile(`^h-[0-9a-z]{8,32}\n?$`) })
			}
		}},
	{Name: "wrong-type-as-pattern", Kind: "variant",
		Point:  "a HandshakeId of another JSON type (a number, an object) is read as text and refused INVALID_PATTERN instead of SerializationException",
		Source: "the contract's input checks accept a wrong JSON type refused as SerializationException or coerced",
		plant: func(s *Server) {
			s.hooks.rename = func(e *apiError) {
				if e.Type == errSerialization && strings.Contains(e.Message, "HandshakeId") {
					e.Type, e.Reason = errInvalidInput, "INVALID_PATTERN"
				}
			}
		}},
}

// setFrom sets the states op's response moves a handshake from.
func (s *Server) setFrom(op string, from ...string) {
	r := s.responses[op]
	r.from = from
	s.responses[op] = r
}

// setMayCall sets who may call op's response.
func (s *Server) setMayCall(op string, may func(h *handshake, account string) bool) {
	r := s.responses[op]
	r.mayCall = may
	s.responses[op] = r
}

// changeRule applies change to the rule of member (a top-level member of
// op's input).
func (s *Server) changeRule(op, member string, change func(*rule)) {
	for target, o := range s.ops {
		if o.name != op {
			continue
		}
		rules := slices.Clone(o.rules)
		for i := range rules {
			if rules[i].key == member {
				change(&rules[i])
			}
		}
		o.rules = rules
		s.ops[target] = o
	}
}

func intPtr(n int) *int { return &n }

// joinOnce is joinOrganization for an emulator whose membership is a set:
// an account already in the sending organization joins again harmlessly.
func (s *Server) joinOnce(h *handshake, c *call) *apiError {
	if m, in := s.st.members[c.account]; in && m.org.id == h.orgID {
		return nil
	}
	return s.joinOrganization(h, c)
}

// okStatus is a ResponseWriter that sends every status as 200.
type okStatus struct{ http.ResponseWriter }

func (w okStatus) WriteHeader(int) { w.ResponseWriter.WriteHeader(http.StatusOK) }

// staleMembers is the lost-update fault's cache of each organization's
// member list, refreshed when older than staleness: joins read the list
// from it and write it back with the new member.
type staleMembers map[string]cachedMembers

// cachedMembers is an organization's member list as read at a moment.
type cachedMembers struct {
	at       time.Time
	accounts []*membership
}

// join is joinOrganization with a lost update: it adds c's account to the
// organization's member list as cached (up to staleness old) and writes
// that list back, so that a member another call added since the cache was
// read is gone from the list (though still a member by its own record).
// Two accounts that join at once always meet it, however loaded the
// machine, and the fault costs no time (a slow save in place of the cache
// went uncaught on a loaded CI machine).
func (m staleMembers) join(s *Server, h *handshake, c *call) *apiError {
	if _, in := s.st.members[c.account]; in {
		return s.joinOrganization(h, c) // its refusal
	}
	org, ok := s.st.orgs[h.orgID]
	if !ok {
		return s.joinOrganization(h, c)
	}
	cached, ok := m[org.id]
	if !ok || time.Since(cached.at) >= staleness {
		cached = cachedMembers{at: time.Now(), accounts: slices.Clone(org.accounts)}
		m[org.id] = cached
	}
	joined := &membership{seq: s.st.next(), account: c.account, org: org, joined: org.clock.at(c.now), method: "INVITED"}
	org.accounts = append(slices.Clone(cached.accounts), joined)
	s.st.members[c.account] = joined
	return nil
}
