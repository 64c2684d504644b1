package fuzz

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/oracle"
	"github.com/orgconform/orgconform/specs"
)

// The model of the generated tests: what one scenario's accounts,
// organizations and handshakes should look like on the target. It holds no
// transition logic of its own: every expectation comes from package oracle
// (the transition table, the permissions, the constraint expectations);
// the model only says which row applies — the caller's role towards the
// handshake, the states the handshake may be in, and whether its recipient
// could join. Where the sources leave the effect of a call open (what an
// all-features request's member handshakes become when it is canceled), a
// handshake's state becomes a set, narrowed again by the next read.

// account is one principal of a scenario and what the model knows of it.
type account struct {
	p       endpoint.Principal
	name    string // the replay script's variable: MANAGEMENT_1, RECIPIENT_2, …
	org     *org   // the organization it belongs to, nil for none
	manages *org   // the organization it manages, if any
	email   string // its email, once ListAccounts showed it
}

// org is one organization of a scenario.
type org struct {
	name     string // the replay script's variable: O1, O2
	id       string
	mgmt     *account
	features string
	advanced float64 // seconds its clock was moved
}

// handshake is one handshake of a scenario.
type handshake struct {
	id, name  string // its Id and the replay script's variable (H1, …)
	action    string
	org       *org
	recipient *account
	byEmail   bool
	states    []string // the states it may be in; one once read back
	expires   float64  // ExpirationTimestamp, epoch seconds (0: unknown)
	parent    *handshake
	children  []*handshake
}

// world is the model of one scenario.
type world struct {
	accounts []*account
	orgs     []*org
	hs       []*handshake
}

// open reports whether h may still be answered (OPEN or REQUESTED).
func (h *handshake) open() bool {
	return slices.ContainsFunc(h.states, func(s string) bool { return s == "OPEN" || s == "REQUESTED" })
}

// certainly reports whether h is in state and no other.
func (h *handshake) certainly(state string) bool { return len(h.states) == 1 && h.states[0] == state }

// widen adds states h may now be in.
func (h *handshake) widen(states ...string) {
	for _, s := range states {
		if !slices.Contains(h.states, s) {
			h.states = append(h.states, s)
		}
	}
	sort.Strings(h.states)
}

// role is a's role towards h, as the transition table and the
// permissions name it: the recipient (for ENABLE_ALL_FEATURES the
// management account, which also sent it), the sender, another member of
// the sender's organization, or an outsider (any other account, another
// organization's management account included).
func role(a *account, h *handshake) string {
	switch {
	case a == h.recipient:
		return specs.RoleRecipient
	case a == h.org.mgmt:
		return specs.RoleSender
	case a.org == h.org:
		return specs.RoleMember
	}
	return specs.RoleOutsider
}

// situation is what picks the expectation of one response to a
// handshake: its action and state, the operation, the caller's role, and
// whether an accepting recipient could join the organization.
type situation struct {
	action, state, op, role string
	// elsewhere: the recipient of an invitation belongs to another
	// organization (1) or manages one (2).
	elsewhere int
}

// expectOf returns the oracle's expectation for s: the transition table's
// row, or, for a recipient accepting an invitation while in or managing
// another organization, the constraint error.
func expectOf(s situation) (oracle.Expectation, bool) {
	if s.op == "AcceptHandshake" && s.role == specs.RoleRecipient && s.action == "INVITE" && (s.state == "OPEN" || s.state == "REQUESTED") {
		switch s.elsewhere {
		case 1:
			return oracle.AlreadyMember, true
		case 2:
			return oracle.AlreadyManaging, true
		}
	}
	return oracle.Transition(s.action, s.state, s.op, s.role)
}

// elsewhere says whether a could not join h's organization by accepting.
func elsewhere(a *account, h *handshake) int {
	switch {
	case a.manages != nil:
		return 2
	case a.org != nil && a.org != h.org:
		return 1
	}
	return 0
}

// judgement is the verdict on one response to a handshake.
type judgement struct {
	pass     bool
	expected string
	observed string
	source   string
	states   []string // the states the handshake may be in afterwards
}

// judgeResponse judges answer a to op by caller on h against every state h
// may be in: it passes when some state's expectation allows a; the
// states it leaves are the outcomes of those that allow it.
func judgeResponse(h *handshake, caller *account, op string, a oracle.Answer) judgement {
	return judgeStates(h.action, h.states, op, role(caller, h), elsewhere(caller, h), a)
}

// judgeStates is judgeResponse on plain values (the concurrency model's).
func judgeStates(action string, states []string, op, role string, elsewhere int, a oracle.Answer) judgement {
	var j judgement
	var expected []string
	for _, st := range states {
		e, ok := expectOf(situation{action: action, state: st, op: op, role: role, elsewhere: elsewhere})
		if !ok {
			expected = append(expected, fmt.Sprintf("(no transition row %s/%s/%s/%s)", action, st, op, role))
			continue
		}
		v := oracle.Judge(e, a)
		if j.source == "" {
			j.source = e.Source
		}
		if !v.Pass {
			expected = append(expected, fmt.Sprintf("from %s: %s", st, v.Expected))
			j.observed = v.Observed
			continue
		}
		j.pass = true
		next := st
		if a.Success {
			next = e.State
			if next == "" {
				next = a.State
			}
		}
		if !slices.Contains(j.states, next) {
			j.states = append(j.states, next)
		}
	}
	sort.Strings(j.states)
	j.expected = strings.Join(expected, "; or ")
	if j.observed == "" {
		j.observed = a.Summary
	}
	return j
}

// answerOf is a response as the oracle judges it.
func answerOf(r *endpoint.Response) oracle.Answer { return check.Answer(r) }

// rolesOf lists, for a handshake, one account in each role the world has:
// its recipient, its sender, a member of its organization and an
// outsider (an account in no organization, or in another).
func (w *world) rolesOf(h *handshake) map[string]*account {
	out := map[string]*account{}
	for _, a := range w.accounts {
		r := role(a, h)
		if _, ok := out[r]; !ok {
			out[r] = a
		}
	}
	return out
}

// openInvite returns o's open invitation of a, if any.
func (w *world) openInvite(o *org, a *account) *handshake {
	for _, h := range w.hs {
		if h.action == "INVITE" && h.org == o && h.recipient == a && h.open() {
			return h
		}
	}
	return nil
}

// openRequest returns o's all-features request while it may be open.
func (w *world) openRequest(o *org) *handshake {
	for _, h := range w.hs {
		if h.action == "ENABLE_ALL_FEATURES" && h.org == o && h.open() {
			return h
		}
	}
	return nil
}

// members lists o's members (its management account first).
func (w *world) members(o *org) []*account {
	out := []*account{o.mgmt}
	for _, a := range w.accounts {
		if a.org == o && a != o.mgmt {
			out = append(out, a)
		}
	}
	return out
}

// byID returns the handshake with id, if the model knows it.
func (w *world) byID(id string) *handshake {
	for _, h := range w.hs {
		if h.id == id {
			return h
		}
	}
	return nil
}

// orgByID returns the organization whose id (in any form the sources
// show) a handshake names.
func (w *world) orgOf(h oracle.Handshake) *org {
	for _, o := range w.orgs {
		if h.FromOrganization(o.id) {
			return o
		}
	}
	return nil
}

// accepted applies the effects of h reaching ACCEPTED: an invitation's
// recipient joins; the last member approval opens the request; an
// accepted request gives the organization all features.
func (w *world) accepted(h *handshake) {
	switch h.action {
	case "INVITE":
		h.recipient.org = h.org
	case "APPROVE_ALL_FEATURES":
		p := h.parent
		if p == nil {
			return
		}
		for _, c := range p.children {
			// A member that left no longer holds the request up (guide: one
			// that declined must be removed before the process completes).
			if c.recipient.org == p.org && !c.certainly("ACCEPTED") {
				return
			}
		}
		if p.certainly("REQUESTED") {
			p.states = []string{"OPEN"}
		}
	case "ENABLE_ALL_FEATURES":
		h.org.features = "ALL"
	}
}

// ended applies the effects the sources leave open when h is declined or
// canceled: an all-features request's member handshakes may be canceled
// with it; a canceled member handshake may cancel or block its request.
func (w *world) ended(h *handshake) {
	for _, c := range h.children {
		if c.open() {
			c.widen("CANCELED")
		}
	}
	if p := h.parent; p != nil && p.open() {
		p.widen("CANCELED")
	}
}

// left applies a leaving the organization it belonged to: its open member
// handshake may be canceled, and the request it blocked may open.
func (w *world) left(a *account) {
	a.org = nil
	for _, h := range w.hs {
		if h.action != "APPROVE_ALL_FEATURES" || h.recipient != a {
			continue
		}
		if h.open() {
			h.widen("CANCELED", "EXPIRED")
		}
		// The request waited for a (an approval still open, or a
		// decline, which blocks it until a leaves): it may open now.
		if p := h.parent; p != nil && p.open() {
			p.widen("OPEN", "REQUESTED", "CANCELED")
		}
	}
}
