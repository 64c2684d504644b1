package contract

import (
	"fmt"
	"slices"
	"time"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/specs"
)

// transitionChecks returns one check per row of the transition table.
func transitionChecks() []Check {
	var out []Check
	for _, row := range contract.Transitions {
		needs := []string{"CreateOrganization", "InviteAccountToOrganization", row.Operation, "DescribeHandshake"}
		if row.Action != "INVITE" {
			needs = append(needs, "EnableAllFeatures", "ListHandshakesForAccount")
		}
		out = append(out, Check{
			ID:        fmt.Sprintf("transition/%s/%s/%s/%s", row.Action, row.State, row.Operation, row.Role),
			Group:     "transition",
			Operation: row.Operation,
			Needs:     needs,
			run:       func(t *T) { t.transition(row) },
		})
	}
	return out
}

// scene is a handshake set up for a transition row, with the principals
// that play each role towards it.
type scene struct {
	h      handshake
	org    *org
	roles  map[string]endpoint.Principal
	viewer endpoint.Principal // a party that may describe the handshake
}

// transition sets up a handshake of row.Action in row.State, calls
// row.Operation as row.Role, and checks the outcome against the row.
func (t *T) transition(row specs.Transition) {
	if !row.IsReachable() {
		t.Skipf("not reachable: %s", row.Note)
	}
	if row.State == "EXPIRED" {
		t.requireClock()
	}
	s := t.scene(row.Action, row.Role)
	t.drive(s, row)
	before := row.State
	caller := s.roles[row.Role]
	r := t.call(caller, row.Operation, map[string]string{"HandshakeId": s.h.Id})
	t.unsupportedIf(r)
	if r.OK() && row.Outcome.State != "" {
		got := t.handshakeOf(r)
		if got.Id != s.h.Id || got.State != row.Outcome.State {
			t.Failf(r, fmt.Sprintf("handshake %s in state %s", s.h.Id, row.Outcome.State), "handshake %s in state %s", got.Id, got.State)
		}
		t.expectState(s, row.Outcome.State, "after "+row.Operation)
		return
	}
	if len(row.Outcome.Errors) == 0 {
		t.Failf(r, fmt.Sprintf("success: handshake %s moves to %s", s.h.Id, row.Outcome.State), "%s", r.Summary())
	}
	t.judgeError(r, expectation{Codes: codes(row.Outcome.Errors...)})
	t.expectState(s, before, "after the refused "+row.Operation)
}

// expectState fails the check unless the viewer sees the handshake in state.
func (t *T) expectState(s *scene, state, when string) {
	got := t.describe(s.viewer, s.h.Id)
	if got.State != state {
		t.Failf(t.last, fmt.Sprintf("DescribeHandshake %s shows %s %s", s.h.Id, state, when), "it shows %s", got.State)
	}
}

// scene builds a fresh handshake of action and the principals around it;
// role says which optional principal the row needs.
func (t *T) scene(action, role string) *scene {
	switch action {
	case "INVITE":
		o := t.newOrg("ALL")
		rec := t.tgt.Mint(roleRecipient)
		s := &scene{org: o, h: t.invite(o, rec), viewer: rec,
			roles: map[string]endpoint.Principal{"recipient": rec, "sender": o.mgmt}}
		t.leaveLater(o, rec) // in case the row (or the way to its state) makes rec join
		t.addBystanders(s, role)
		return s
	case "ENABLE_ALL_FEATURES":
		o := t.newOrg("CONSOLIDATED_BILLING")
		rec := t.tgt.Mint(roleRecipient)
		t.join(o, rec)
		s := &scene{org: o, viewer: rec, roles: map[string]endpoint.Principal{"recipient": rec, "sender": o.mgmt}}
		t.addBystanders(s, role)
		t.enableAllFeatures(o)
		s.h = t.pending(rec, "ENABLE_ALL_FEATURES", o)
		return s
	case "APPROVE_ALL_FEATURES":
		o := t.newOrg("CONSOLIDATED_BILLING")
		m := t.tgt.Mint(roleMember)
		t.join(o, m)
		t.enableAllFeatures(o)
		t.act(m, "AcceptHandshake", t.pending(m, "ENABLE_ALL_FEATURES", o).Id)
		s := &scene{org: o, viewer: o.mgmt, h: t.pending(o.mgmt, "APPROVE_ALL_FEATURES", o),
			roles: map[string]endpoint.Principal{"recipient": o.mgmt, "sender": o.mgmt, "member": m, "outsider": t.tgt.Mint(roleOutsider)}}
		return s
	}
	t.Skipf("no operation in scope creates a %s handshake", action)
	return nil
}

// addBystanders adds the member or outsider principal the row needs.
func (t *T) addBystanders(s *scene, role string) {
	switch role {
	case "member":
		m := t.tgt.Mint(roleMember)
		t.join(s.org, m)
		s.roles["member"] = m
	case "outsider":
		s.roles["outsider"] = t.tgt.Mint(roleOutsider)
	}
}

// enableAllFeatures starts the all-features migration of o.
func (t *T) enableAllFeatures(o *org) {
	r := t.setup(t.call(o.mgmt, "EnableAllFeatures", nil), "EnableAllFeatures")
	h := t.handshakeOf(r)
	t.cancelLater(o.mgmt, h.Id)
}

// pending finds the open handshake of action addressed to p for o.
func (t *T) pending(p endpoint.Principal, action string, o *org) handshake {
	r := t.setup(t.call(p, "ListHandshakesForAccount", map[string]any{"Filter": map[string]string{"ActionType": action}}), "ListHandshakesForAccount")
	list, _ := t.handshakeListOf(r)
	var seen []string
	for _, h := range list {
		seen = append(seen, h.Action+"/"+h.State)
		if h.Action == action && slices.Contains([]string{"OPEN", "REQUESTED"}, h.State) && h.hasParty(o.id, "ORGANIZATION") {
			t.cancelLater(o.mgmt, h.Id)
			return h
		}
	}
	t.Failf(r, fmt.Sprintf("ListHandshakesForAccount shows account %s an open %s handshake of %s", p.AccountID, action, o.id),
		"it lists %d handshakes %v", len(list), seen)
	return handshake{}
}

// drive moves the scene's handshake into row.State.
func (t *T) drive(s *scene, row specs.Transition) {
	initial := contract.Lifecycle.InitialStateSet(row.Action)
	if !slices.Contains(initial, s.h.State) {
		t.Failf(t.last, fmt.Sprintf("a new %s handshake in state %v", row.Action, initial), "state %q", s.h.State)
	}
	sender := s.roles["sender"]
	switch row.State {
	case "OPEN", "REQUESTED":
		if s.h.State != row.State {
			t.Skipf("not reachable on this target: it starts %s handshakes in %s", row.Action, s.h.State)
		}
	case "ACCEPTED":
		t.act(s.roles["recipient"], "AcceptHandshake", s.h.Id)
	case "DECLINED":
		t.act(s.roles["recipient"], "DeclineHandshake", s.h.Id)
	case "CANCELED":
		r := t.call(sender, "CancelHandshake", map[string]string{"HandshakeId": s.h.Id})
		if !r.OK() && row.Action == "APPROVE_ALL_FEATURES" {
			t.Skipf("not reachable on this target: it refuses to cancel APPROVE_ALL_FEATURES (%s), which the table allows", r.Summary())
		}
		t.setup(r, "CancelHandshake")
	case "EXPIRED":
		t.advance(s.org.id, expiry()+time.Minute)
		if got := t.describe(s.viewer, s.h.Id); got.State != "EXPIRED" {
			t.Failf(t.last, fmt.Sprintf("handshake %s is EXPIRED %s after its request", s.h.Id, expiry()), "it is %s", got.State)
		}
	}
}
