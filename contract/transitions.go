package contract

import (
	"fmt"
	"slices"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
	"github.com/orgconform/orgconform/specs"
)

// scene is a handshake set up for a transition row, with the principals
// that play each role towards it.
type scene struct {
	action  string
	h       oracle.Handshake
	org     *fixture.Org
	roles   map[string]endpoint.Principal
	members []endpoint.Principal // accounts that joined the organization
}

// view is who can read the scene's handshake back.
func (s *scene) view() fixture.View {
	return fixture.View{ID: s.h.Id, Recipient: s.roles[specs.RoleRecipient], Sender: s.roles[specs.RoleSender]}
}

// stage is how to set up a fresh handshake of one action.
type stage struct {
	// ops are the operations the scene cannot do without.
	ops []string
	// principals the scene needs when the row's caller has role.
	principals func(role string) fixture.Need
	// invitations the scene sends (live-AWS budget).
	invitations int
	// build sets up the scene for a row whose caller has role.
	build func(t *check.T, role string) *scene
	// open moves a REQUESTED handshake to OPEN, when the action has a way.
	open func(t *check.T, s *scene)
}

// stages set up each action the operations in scope can create.
var stages = map[string]stage{
	"INVITE": {
		ops: []string{"InviteAccountToOrganization"},
		principals: func(role string) fixture.Need {
			n := need{fixture.Management: 1, fixture.Recipient: 1}
			return withBystander(n, role)
		},
		invitations: 2,
		build: func(t *check.T, role string) *scene {
			o := fixture.Organization(t, fixture.AllFeatures)
			rec := t.Principal(fixture.Recipient)
			s := &scene{action: "INVITE", org: o, roles: map[string]endpoint.Principal{specs.RoleRecipient: rec, specs.RoleSender: o.Mgmt}}
			s.h = fixture.Invitation(t, o, rec) // the row (or the way to its state) may make rec join
			addBystander(t, s, role)
			return s
		},
	},
	"ENABLE_ALL_FEATURES": {
		ops: []string{"InviteAccountToOrganization", "EnableAllFeatures"},
		principals: func(role string) fixture.Need {
			return need{fixture.Management: 1, fixture.Member: 1, fixture.Outsider: boolInt(role == specs.RoleOutsider)}
		},
		invitations: 2,
		build: func(t *check.T, role string) *scene {
			o := fixture.Organization(t, fixture.Billing)
			m := t.Principal(fixture.Member)
			fixture.Join(t, o, m)
			s := &scene{action: "ENABLE_ALL_FEATURES", org: o, members: []endpoint.Principal{m},
				roles: map[string]endpoint.Principal{specs.RoleRecipient: o.Mgmt, specs.RoleSender: o.Mgmt, specs.RoleMember: m}}
			if role == specs.RoleOutsider {
				s.roles[specs.RoleOutsider] = t.Principal(fixture.Outsider)
			}
			s.h = enableAllFeatures(t, o)
			return s
		},
		open: approveAll,
	},
	"APPROVE_ALL_FEATURES": {
		ops: []string{"InviteAccountToOrganization", "EnableAllFeatures", "ListHandshakesForAccount"},
		principals: func(role string) fixture.Need {
			n := need{fixture.Management: 1, fixture.Recipient: 1}
			return withBystander(n, role)
		},
		invitations: 4,
		build: func(t *check.T, role string) *scene {
			o := fixture.Organization(t, fixture.Billing)
			rec := t.Principal(fixture.Recipient)
			fixture.Join(t, o, rec)
			s := &scene{action: "APPROVE_ALL_FEATURES", org: o, members: []endpoint.Principal{rec},
				roles: map[string]endpoint.Principal{specs.RoleRecipient: rec, specs.RoleSender: o.Mgmt}}
			addBystander(t, s, role)
			enableAllFeatures(t, o)
			s.h = fixture.Pending(t, rec, "APPROVE_ALL_FEATURES", o)
			return s
		},
	},
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// withBystander adds the member or outsider account a row's caller needs.
func withBystander(n fixture.Need, role string) fixture.Need {
	switch role {
	case specs.RoleMember:
		return n.Plus(fixture.Member, 1)
	case specs.RoleOutsider:
		return n.Plus(fixture.Outsider, 1)
	}
	return n
}

// addBystander adds the member (who joins the organization) or outsider
// principal the row's caller needs.
func addBystander(t *check.T, s *scene, role string) {
	switch role {
	case specs.RoleMember:
		m := t.Principal(fixture.Member)
		fixture.Join(t, s.org, m)
		s.members = append(s.members, m)
		s.roles[specs.RoleMember] = m
	case specs.RoleOutsider:
		s.roles[specs.RoleOutsider] = t.Principal(fixture.Outsider)
	}
}

// enableAllFeatures starts the all-features process of o and returns the
// handshake EnableAllFeatures answers with.
func enableAllFeatures(t *check.T, o *fixture.Org) oracle.Handshake {
	r := t.Require(t.Call(o.Mgmt, "EnableAllFeatures", nil), "EnableAllFeatures")
	h := t.Handshake(r)
	fixture.CancelLater(t, o.Mgmt, h.Id)
	return h
}

// approveAll has every member approve its APPROVE_ALL_FEATURES handshake,
// which opens the management account's ENABLE_ALL_FEATURES handshake.
func approveAll(t *check.T, s *scene) {
	for _, m := range s.members {
		h := fixture.Pending(t, m, "APPROVE_ALL_FEATURES", s.org)
		fixture.Act(t, m, "AcceptHandshake", h.Id)
	}
}

// transitionChecks returns one check per row of the transition table.
func transitionChecks() []check.Check {
	var out []check.Check
	for _, row := range oracle.Transitions() {
		st, ok := stages[row.Action]
		needs := check.Needs{Ops: []string{row.Operation}}
		if ok {
			needs.Ops = append(needs.Ops, st.ops...)
			needs.Principals = st.principals(row.Role)
			needs.Invitations = st.invitations
		}
		out = append(out, check.Check{
			ID:        fmt.Sprintf("transition/%s/%s/%s/%s", row.Action, row.State, row.Operation, row.Role),
			Group:     "transition",
			Operation: row.Operation,
			Needs:     needs,
			Run:       func(t *check.T) { transition(t, row) },
		})
	}
	return out
}

// transition sets up a handshake of row.Action in row.State, calls
// row.Operation as row.Role, and judges the answer and the state
// afterwards with the row.
func transition(t *check.T, row specs.Transition) {
	e := oracle.FromRow(row)
	t.Source(e.Source)
	if !row.IsReachable() {
		t.SkipCause("not reachable with the operations in scope", "not reachable: %s", row.Note)
	}
	st, ok := stages[row.Action]
	if !ok {
		t.SkipCause("not reachable with the operations in scope", "no operation in scope creates a %s handshake", row.Action)
	}
	if row.State == "EXPIRED" {
		fixture.RequireClock(t, "expiry cannot be tested without waiting for it")
	}
	s := st.build(t, row.Role)
	drive(t, s, st, row.State)
	r := t.Call(s.roles[row.Role], row.Operation, map[string]string{"HandshakeId": s.h.Id})
	fixture.Saw(t, r)
	t.Expect(r, e)
	if r.OK() {
		if got := t.Handshake(r); got.Id != s.h.Id {
			t.Failf(r, fmt.Sprintf("the answer names handshake %s", s.h.Id), "it names %s", got.Id)
		}
		fixture.ExpectState(t, s.view(), row.Outcome.State, "after "+row.Operation)
		return
	}
	fixture.ExpectState(t, s.view(), row.State, "after the refused "+row.Operation)
}

// drive moves the scene's fresh handshake into state: the initial state as
// it is; OPEN from REQUESTED by the action's way to open it; EXPIRED by
// moving the organization's clock past the expiry, from whatever state the
// handshake starts in (a REQUESTED handshake expires as an OPEN one does:
// opening it first would cost three requests and show nothing more); any
// other state by the call the transition table says leads there from the
// current state.
func drive(t *check.T, s *scene, st stage, state string) {
	initial := spec.Lifecycle.InitialStateSet(s.action)
	if !slices.Contains(initial, s.h.State) {
		t.Failf(nil, fmt.Sprintf("a new %s handshake in state %v", s.action, initial), "state %q", s.h.State)
	}
	cur := s.h.State
	if cur == state {
		return
	}
	if cur == "REQUESTED" && (state == "OPEN" || (state != "EXPIRED" && !reachableFrom(s.action, cur, state))) && st.open != nil {
		st.open(t, s)
		cur = "OPEN"
		if rb := fixture.ExpectState(t, s.view(), "OPEN", "once every member approved"); rb.Found {
			cur = rb.State
		}
	}
	switch {
	case cur == state:
		return
	case state == "OPEN" || state == "REQUESTED":
		t.SkipCause("not reachable on this target", "not reachable on this target: it starts %s handshakes in %s", s.action, s.h.State)
	case state == "EXPIRED":
		expire(t, s)
		return
	}
	op, role, certain, ok := wayTo(s.action, cur, state)
	if !ok {
		t.SkipCause("not reachable with the operations in scope", "no operation moves a %s handshake from %s to %s", s.action, cur, state)
	}
	r := t.Call(s.roles[role], op, map[string]string{"HandshakeId": s.h.Id})
	if !r.OK() && !certain {
		e := oracle.FromRow(mustRow(s.action, cur, op, role))
		if oracle.Judge(e, check.Answer(r)).Pass {
			t.SkipCause("not reachable on this target", "not reachable on this target: it refuses %s of a %s %s handshake by the %s (%s), which the table allows", op, cur, s.action, role, r.Summary())
		}
	}
	t.Require(r, op+" "+s.h.Id)
	fixture.Saw(t, r)
}

// expire moves the scene organization's clock past the handshake's expiry
// and checks it reads EXPIRED. A handshake the all-features process
// created may read CANCELED instead once its parent expired (the guide's
// transcript): then EXPIRED rows cannot be set up on this target.
func expire(t *check.T, s *scene) {
	fixture.Advance(t, s.org, expiryOf(s.action)+time.Minute)
	rb := fixture.StateOf(t, s.view())
	switch {
	case !rb.Found:
		t.Notef("the state of handshake %s after its expiry could not be read back: %s", s.h.Id, rb.Lacks)
	case rb.State == "EXPIRED":
	case rb.State == "CANCELED" && spec.Lifecycle.Actions[s.action].ParentAction != "":
		t.SkipCause("not reachable on this target", "not reachable on this target: a %s handshake reads CANCELED, not EXPIRED, once its parent expired", s.action)
	default:
		t.Failf(rb.Resp, fmt.Sprintf("%s shows handshake %s EXPIRED %s after its request", rb.How, s.h.Id, expiryOf(s.action)), "it shows %s", rb.State)
	}
}

// wayTo finds, in the transition table, a call by the recipient or the
// sender that moves a handshake of action from state from to state to;
// certain is false when the row also allows a refusal.
func wayTo(action, from, to string) (op, role string, certain, ok bool) {
	for _, pass := range []bool{true, false} {
		for _, row := range oracle.Transitions() {
			if row.Action == action && row.State == from && row.Outcome.State == to && (len(row.Outcome.Errors) == 0) == pass &&
				(row.Role == specs.RoleRecipient || row.Role == specs.RoleSender) && row.IsReachable() {
				return row.Operation, row.Role, pass, true
			}
		}
	}
	return "", "", false, false
}

// mustRow returns a row the table is known to have.
func mustRow(action, state, op, role string) specs.Transition {
	row, _ := spec.Transition(action, state, op, role)
	return row
}

// reachableFrom reports whether the table leads from one state to another
// directly.
func reachableFrom(action, from, to string) bool {
	_, _, _, ok := wayTo(action, from, to)
	return ok
}

// expiryOf is how long after its request a handshake of action expires
// (15 days for an invitation, 90 for the all-features process).
func expiryOf(action string) time.Duration {
	if d, ok := spec.Lifecycle.ExpiresAfter(action); ok {
		return d
	}
	return time.Duration(spec.Lifecycle.ExpiresAfterSeconds) * time.Second
}
