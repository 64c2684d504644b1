package fuzz

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
	"github.com/orgconform/orgconform/schemas"
	"github.com/orgconform/orgconform/specs"
)

// lifecycleNeeds are the principals of one example of the lifecycle
// property: two management accounts (one organization's, another
// organization's), two accounts to invite (a recipient and a would-be
// member), and an outsider.
var lifecycleNeeds = fixture.Need{fixture.Management: 2, fixture.Recipient: 1, fixture.Member: 1, fixture.Outsider: 1}

// lifecycle is the stateful property of the whole handshake API: random
// invitations (by account id and by email) from two organizations,
// responses by every role, reads by every role, removals, departures, the
// all-features process with its member handshakes, and clock moves where
// the target offers clock control. Every answer is judged by package
// oracle against the model; after every action the invariant re-reads
// what the action touched: who sees which handshake (DescribeHandshake by
// every role, both lists), membership (ListAccounts lists each account
// exactly once; a member's DescribeOrganization names its organization),
// and pagination (pages of 1 to 3 items, no duplicates or gaps).
func lifecycle(t *check.T) {
	if t.Fixed() {
		t.SkipCause("the property needs fresh accounts", "the lifecycle property needs fresh accounts for every example; a target file's accounts keep their history (and live AWS allows 20 invitations a day)")
	}
	t.Property(func(rt *rapid.T, rec *check.Recorder) {
		m := newMachine(t, rt, rec)
		rt.Repeat(m.actions())
	})
}

// machine runs one example of the lifecycle property.
type machine struct {
	t   *check.T
	rec *check.Recorder
	w   world

	mgmt, other *account   // the organization's and another one's management accounts
	invitees    []*account // accounts the organizations invite
	outsider    *account   // an account that never joins anything
	a           *org       // the first organization

	clock, implicit bool
	featureSet      string

	dirtyH map[*handshake]bool
	dirtyA map[*account]bool
	dirtyO map[*org]bool
	vars   map[string]string // JSON string value → replay variable
	tokens map[string]string // NextToken → the replay variable that captured it (T1, T2, …)
	counts map[string]int
}

func newMachine(t *check.T, rt *rapid.T, rec *check.Recorder) *machine {
	m := bareMachine(t, rec)
	caps := t.Session().Caps()
	m.featureSet = fixture.Billing
	if caps.Of("CreateOrganization").Status == check.NotImplemented || !m.has("EnableAllFeatures") {
		m.featureSet = fixture.AllFeatures
	}
	m.mgmt = m.account(fixture.Management)
	m.other = m.account(fixture.Management)
	m.invitees = []*account{m.account(fixture.Recipient), m.account(fixture.Member)}
	m.outsider = m.account(fixture.Outsider)
	m.a = m.organization(m.mgmt, m.featureSet)
	return m
}

// bareMachine is a machine with no account or organization yet.
func bareMachine(t *check.T, rec *check.Recorder) *machine {
	m := &machine{t: t, rec: rec, dirtyH: map[*handshake]bool{}, dirtyA: map[*account]bool{}, dirtyO: map[*org]bool{},
		vars: map[string]string{}, tokens: map[string]string{}, counts: map[string]int{}}
	caps := t.Session().Caps()
	if f, ok := caps.Flag(check.FlagClock); ok && f.On {
		m.clock = true
	}
	if f, ok := caps.Flag(check.FlagImplicitOrganizations); ok && f.On {
		m.implicit = true
	}
	return m
}

// has reports whether the target may implement op (not known otherwise).
func (m *machine) has(op string) bool {
	return m.t.Session().Caps().Of(op).Status != check.NotImplemented
}

// account mints the next principal of role into the world.
func (m *machine) account(role string) *account {
	p := m.t.Principal(role)
	m.counts[role]++
	a := &account{p: p, name: fmt.Sprintf("%s_%d", strings.ToUpper(role), m.counts[role]), email: p.Email}
	m.w.accounts = append(m.w.accounts, a)
	m.vars[p.AccountID] = a.name
	return a
}

// organization makes mgmt's organization (fixture: created, or the
// target's implicit one), empties it after the example, and records it.
func (m *machine) organization(mgmt *account, featureSet string) *org {
	fo := fixture.OrganizationOf(m.t, mgmt.p, featureSet)
	o := &org{name: fmt.Sprintf("O%d", len(m.w.orgs)+1), id: fo.ID, mgmt: mgmt, features: fo.FeatureSet}
	m.w.orgs = append(m.w.orgs, o)
	mgmt.org, mgmt.manages = o, o
	m.vars[o.id] = o.name
	m.dirtyO[o] = true
	what := fmt.Sprintf("%s creates organization %s (%s)", mgmt.name, o.name, featureSet)
	if fo.Route == fixture.RouteCreated {
		m.rec.Step(what, fo.Created, fmt.Sprintf("%s=$(%s)", o.name, m.cli(mgmt, "CreateOrganization", []byte(fmt.Sprintf(`{"FeatureSet":%q}`, featureSet)), "Organization.Id")))
	} else {
		m.rec.Step(mgmt.name+"'s organization "+o.name+" (the target's implicit one)", nil, fmt.Sprintf("%s=$(%s)", o.name, m.cli(mgmt, "DescribeOrganization", []byte("{}"), "Organization.Id")))
	}
	m.t.Cleanup("empty organization "+o.id, func(ctx context.Context) error { return m.empty(ctx, o) })
	return o
}

// empty cancels o's open handshakes and removes its members, so that the
// fixture can delete it.
func (m *machine) empty(ctx context.Context, o *org) error {
	var errs []string
	for _, h := range m.w.hs {
		if h.org == o && h.open() && h.parent == nil {
			if err := m.t.Undo(ctx, o.mgmt.p, "CancelHandshake", jsonOf(map[string]string{"HandshakeId": h.id}),
				"HandshakeAlreadyInStateException", "InvalidHandshakeTransitionException", "HandshakeNotFoundException"); err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	for _, a := range m.w.members(o)[1:] {
		if err := m.t.Undo(ctx, o.mgmt.p, "RemoveAccountFromOrganization", jsonOf(map[string]string{"AccountId": a.p.AccountID}),
			"AccountNotFoundException", "AWSOrganizationsNotInUseException"); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// otherOrg is another organization, made on first use.
func (m *machine) otherOrg() *org {
	if m.other.manages == nil {
		if m.other.org != nil {
			return nil // it joined the first organization meanwhile
		}
		m.organization(m.other, fixture.AllFeatures)
	}
	return m.other.manages
}

// actions are the state machine's actions. rapid draws among the keys
// uniformly, so the actions that build state (invitations and responses)
// have two keys each, and the reads share one.
func (m *machine) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"invite":            m.invite,
		"invite (again)":    m.invite,
		"respond":           m.respondAny,
		"respond (again)":   m.respondAny,
		"read":              m.read,
		"remove":            m.remove,
		"leave":             m.leave,
		"enableAllFeatures": m.enableAllFeatures,
		"advance":           m.advance,
		"":                  m.invariant,
	}
}

// respondAny has a party respond as the API intends (three times in
// four: the recipient accepts or declines, the sender cancels), or any
// account call any of the three on any handshake.
func (m *machine) respondAny(rt *rapid.T) {
	if rapid.IntRange(0, 3).Draw(rt, "by a party") < 3 {
		op := rapid.SampledFrom([]string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake"}).Draw(rt, "response")
		m.answer(op)(rt)
		return
	}
	m.respond(rt)
}

// read has a random reader call one of the read operations.
func (m *machine) read(rt *rapid.T) {
	reads := []func(*rapid.T){m.describeAction, m.listForAccountAction, m.listForOrganizationAction, m.listAccountsAction, m.describeOrganizationAction}
	reads[rapid.IntRange(0, len(reads)-1).Draw(rt, "read")](rt)
}

// pickOrg draws the first organization or another one.
func (m *machine) pickOrg(rt *rapid.T) *org {
	if rapid.IntRange(0, 3).Draw(rt, "organization") < 3 {
		return m.a
	}
	if o := m.otherOrg(); o != nil {
		return o
	}
	return m.a // another organization's management account joined the first one
}

// instead runs, in place of an action that does not apply to the state,
// the first that does: an invitation, a response, a read. (rapid ends an
// example at its first rejected action, so actions are never rejected for
// the state.)
func (m *machine) instead(rt *rapid.T) {
	switch {
	case m.has("InviteAccountToOrganization") && len(m.free()) > 0:
		m.invite(rt)
	case len(m.w.hs) > 0:
		m.respond(rt)
	default:
		m.need(rt, "ListHandshakesForAccount")
		m.listForAccount(rt, m.pickAccount(rt, "reader"), rapid.IntRange(1, 3).Draw(rt, "page size"), "")
	}
}

// free lists the invitees in no organization.
func (m *machine) free() []*account {
	var out []*account
	for _, a := range m.invitees {
		if a.org == nil {
			out = append(out, a)
		}
	}
	return out
}

// pickAccount draws any account of the world; drawing the other
// management account makes its organization.
func (m *machine) pickAccount(rt *rapid.T, label string) *account {
	a := rapid.SampledFrom(m.w.accounts).Draw(rt, label)
	if a == m.other && a.org == nil && rapid.Bool().Draw(rt, "as another organization's management account") {
		m.otherOrg()
	}
	return a
}

// need skips the action unless the target may implement every op.
func (m *machine) need(rt *rapid.T, ops ...string) {
	for _, op := range ops {
		if !m.has(op) {
			rt.Skip(op + " is not implemented")
		}
	}
}

// mayCreate returns a, or on a target that makes organizations on first
// use, where a's call would make one, the first organization's management
// account.
func (m *machine) mayCreate(a *account) *account {
	if m.implicit && a.org == nil {
		return m.mgmt
	}
	return a
}

// invite has an organization invite an account in no organization, by
// account id or by its email once known.
func (m *machine) invite(rt *rapid.T) {
	m.need(rt, "InviteAccountToOrganization")
	o := m.pickOrg(rt)
	free := m.free()
	if len(free) == 0 {
		m.instead(rt)
		return
	}
	a := rapid.SampledFrom(free).Draw(rt, "invitee")
	byEmail := a.email != "" && rapid.Bool().Draw(rt, "by email")
	dup := m.w.openInvite(o, a)
	if dup != nil {
		// The sources do not say whether an invitation in the other form
		// (email, account id) duplicates an open one: send the same form.
		byEmail = dup.byEmail
	}
	party := map[string]string{"Type": "ACCOUNT", "Id": a.p.AccountID}
	if byEmail {
		party = map[string]string{"Type": "EMAIL", "Id": a.email}
	}
	e := oracle.Expectation{Success: true, Source: "model: InviteAccountToOrganization sends an invitation to an account in no organization"}
	switch {
	case dup != nil:
		e = oracle.Duplicate
	case m.w.openRequest(o) != nil:
		e = oracle.Either(e, oracle.Expectation{Codes: map[string][]string{"HandshakeConstraintViolationException": {"INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES"}}})
	}
	name := m.nextName("H")
	r := m.send(rt, o.mgmt, "InviteAccountToOrganization", map[string]any{"Target": party},
		fmt.Sprintf("%s invites %s by %s", o.mgmt.name, a.name, strings.ToLower(party["Type"])), name+"=Handshake.Id")
	m.expect(rt, r, e, "InviteAccountToOrganization")
	if !r.OK() {
		return
	}
	hh := m.handshake(rt, r)
	if !slices.Contains(contract.Lifecycle.InitialStateSet("INVITE"), hh.State) || hh.Action != "INVITE" {
		m.fail(rt, "InviteAccountToOrganization", fmt.Sprintf("a new INVITE handshake in state %v", contract.Lifecycle.InitialStateSet("INVITE")), fmt.Sprintf("%s in state %s", hh.Action, hh.State), "")
	}
	if !hh.FromOrganization(o.id) || !hh.HasParty(party["Id"], party["Type"]) {
		m.fail(rt, "InviteAccountToOrganization", fmt.Sprintf("the invitation names organization %s and %s %s as parties", o.id, party["Type"], party["Id"]), fmt.Sprintf("parties %v", hh.Parties), "")
	}
	h := &handshake{id: hh.Id, name: name, action: "INVITE", org: o, recipient: a, byEmail: byEmail, states: []string{hh.State}}
	h.expires, _ = oracle.Timestamp(hh.ExpirationTimestamp)
	m.add(h)
	m.touch(h, a)
	m.dirtyO[o] = true
}

// add records a new handshake.
func (m *machine) add(h *handshake) {
	m.w.hs = append(m.w.hs, h)
	m.vars[h.id] = h.name
}

// respond has any account accept, decline or cancel any handshake.
func (m *machine) respond(rt *rapid.T) {
	if len(m.w.hs) == 0 {
		m.instead(rt)
		return
	}
	h := rapid.SampledFrom(m.w.hs).Draw(rt, "handshake")
	ops := []string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake"}
	op := rapid.SampledFrom(ops).Draw(rt, "operation")
	m.need(rt, op)
	caller := m.pickAccount(rt, "caller")
	m.respondAs(rt, h, op, caller)
}

// respondAs sends op on h as caller and judges the answer from every
// state h may be in.
func (m *machine) respondAs(rt *rapid.T, h *handshake, op string, caller *account) {
	r := m.send(rt, caller, op, map[string]any{"HandshakeId": h.id}, fmt.Sprintf("%s (%s) calls %s on %s %s", caller.name, role(caller, h), op, h.action, h.name), "")
	j := judgeResponse(h, caller, op, answerOf(r))
	if !j.pass {
		m.fail(rt, fmt.Sprintf("%s of %s %s (%s) by its %s", op, h.action, h.name, strings.Join(h.states, " or "), role(caller, h)), j.expected, j.observed, j.source)
	}
	if r.OK() {
		if hh := m.handshake(rt, r); hh.Id != h.id {
			m.fail(rt, op, "the answer names handshake "+h.id, "it names "+hh.Id, "")
		}
	}
	h.states = j.states
	m.touch(h, caller)
	if !r.OK() {
		return
	}
	m.touch(nil, h.recipient, h.org.mgmt)
	m.dirtyO[h.org] = true
	switch {
	case h.certainly("ACCEPTED"):
		m.w.accepted(h)
		for _, x := range append(h.children, h.parent) {
			if x != nil {
				m.dirtyH[x] = true
			}
		}
	case h.certainly("DECLINED"), h.certainly("CANCELED"):
		m.w.ended(h)
		for _, x := range append(h.children, h.parent) {
			if x != nil {
				m.dirtyH[x] = true
			}
		}
	}
}

// answer has a party respond as the API intends: the recipient accepts
// or declines an open handshake addressed to it, the sender cancels one it
// sent (the responses the contract allows, drawn more often than random
// callers' so that organizations grow members).
func (m *machine) answer(op string) func(*rapid.T) {
	return func(rt *rapid.T) {
		m.need(rt, op)
		var open []*handshake
		for _, h := range m.w.hs {
			if h.open() {
				open = append(open, h)
			}
		}
		if len(open) == 0 {
			m.instead(rt)
			return
		}
		h := rapid.SampledFrom(open).Draw(rt, "handshake")
		caller := h.recipient
		if op == "CancelHandshake" {
			caller = h.org.mgmt
		}
		m.respondAs(rt, h, op, caller)
	}
}

// touch marks what the invariant re-reads after the action.
func (m *machine) touch(h *handshake, accounts ...*account) {
	if h != nil {
		m.dirtyH[h] = true
	}
	for _, a := range accounts {
		if a != nil {
			m.dirtyA[a] = true
		}
	}
}

// remove has a management account remove a member.
func (m *machine) remove(rt *rapid.T) {
	m.need(rt, "RemoveAccountFromOrganization")
	o := m.pickOrg(rt)
	members := m.w.members(o)[1:]
	if len(members) == 0 {
		m.instead(rt)
		return
	}
	a := rapid.SampledFrom(members).Draw(rt, "member")
	r := m.send(rt, o.mgmt, "RemoveAccountFromOrganization", map[string]any{"AccountId": a.p.AccountID}, fmt.Sprintf("%s removes %s from %s", o.mgmt.name, a.name, o.name), "")
	m.membershipChange(rt, r, "RemoveAccountFromOrganization", a, o)
}

// leave has a member leave its organization.
func (m *machine) leave(rt *rapid.T) {
	m.need(rt, "LeaveOrganization")
	var members []*account
	for _, a := range m.w.accounts {
		if a.org != nil && a.manages == nil {
			members = append(members, a)
		}
	}
	if len(members) == 0 {
		m.instead(rt)
		return
	}
	a := rapid.SampledFrom(members).Draw(rt, "member")
	o := a.org
	r := m.send(rt, a, "LeaveOrganization", nil, fmt.Sprintf("%s leaves %s", a.name, o.name), "")
	m.membershipChange(rt, r, "LeaveOrganization", a, o)
}

// membershipChange judges a removal or departure: success, or a
// constraint AWS states for accounts that cannot stand alone (no payment
// method), which leaves the membership as it was.
func (m *machine) membershipChange(rt *rapid.T, r *endpoint.Response, op string, a *account, o *org) {
	e := oracle.Expectation{Success: true, Codes: map[string][]string{"ConstraintViolationException": nil},
		Why: "a member leaves or is removed; AWS may refuse an account that cannot stand alone", Source: "model: " + op}
	m.expect(rt, r, e, op)
	if !r.OK() {
		return
	}
	m.w.left(a)
	m.touch(nil, a, o.mgmt)
	m.dirtyO[o] = true
	for _, h := range m.w.hs {
		if h.recipient == a || h.org == o {
			m.dirtyH[h] = true
		}
	}
}

// enableAllFeatures starts an organization's all-features process; every
// member must get its APPROVE_ALL_FEATURES handshake.
func (m *machine) enableAllFeatures(rt *rapid.T) {
	m.need(rt, "EnableAllFeatures", "ListHandshakesForAccount")
	o := m.pickOrg(rt)
	e := oracle.Expectation{Success: true, Source: "guide: EnableAllFeatures returns the management account's ENABLE_ALL_FEATURES request and sends every invited member an APPROVE_ALL_FEATURES handshake"}
	switch {
	case o.features == fixture.AllFeatures:
		e = oracle.AllFeaturesAlready
	case m.w.openRequest(o) != nil:
		m.instead(rt) // the sources do not say what a second request gets
		return
	}
	name := m.nextName("H")
	r := m.send(rt, o.mgmt, "EnableAllFeatures", nil, fmt.Sprintf("%s enables all features of %s", o.mgmt.name, o.name), name+"=Handshake.Id")
	m.expect(rt, r, e, "EnableAllFeatures")
	if !r.OK() {
		return
	}
	hh := m.handshake(rt, r)
	members := m.w.members(o)[1:]
	initial := contract.Lifecycle.InitialStateSet("ENABLE_ALL_FEATURES")
	if len(members) == 0 {
		initial = append(slices.Clone(initial), "OPEN") // nobody to wait for
	}
	if hh.Action != "ENABLE_ALL_FEATURES" || !slices.Contains(initial, hh.State) {
		m.fail(rt, "EnableAllFeatures", fmt.Sprintf("an ENABLE_ALL_FEATURES handshake in state %v", initial), fmt.Sprintf("%s in state %s", hh.Action, hh.State), e.Source)
	}
	for _, h := range m.w.hs {
		if h.org == o && h.action == "INVITE" && h.open() {
			// The sources do not say what becomes of invitations open when
			// the process starts; canceling them is plausible.
			h.widen("CANCELED")
			m.touch(h, h.recipient)
		}
	}
	p := &handshake{id: hh.Id, name: name, action: "ENABLE_ALL_FEATURES", org: o, recipient: o.mgmt, states: []string{hh.State}}
	p.expires, _ = oracle.Timestamp(hh.ExpirationTimestamp)
	m.add(p)
	m.touch(p, o.mgmt)
	m.dirtyO[o] = true
	for _, a := range members {
		c := m.child(rt, a, p)
		p.children = append(p.children, c)
		m.touch(c, a)
	}
}

// child finds member a's APPROVE_ALL_FEATURES handshake of request p. The
// replay line of the page that lists it captures it.
func (m *machine) child(rt *rapid.T, a *account, p *handshake) *handshake {
	name := m.nextName("H")
	isChild := func(hh oracle.Handshake) bool {
		return hh.Action == "APPROVE_ALL_FEATURES" && hh.FromOrganization(p.org.id) && m.w.byID(hh.Id) == nil && (hh.State == "OPEN" || hh.State == "REQUESTED")
	}
	captured := false
	capture := func(page []oracle.Handshake) string {
		if !captured && slices.ContainsFunc(page, isChild) {
			captured = true
			return name + "=Handshakes[?State=='OPEN'].Id | [0]"
		}
		return ""
	}
	filter := map[string]any{"Filter": map[string]string{"ActionType": "APPROVE_ALL_FEATURES"}}
	list := m.pages(rt, a, "ListHandshakesForAccount", filter, 0, fmt.Sprintf("check: %s finds its APPROVE_ALL_FEATURES handshake", a.name), capture)
	for _, hh := range list {
		if isChild(hh) {
			c := &handshake{id: hh.Id, name: name, action: "APPROVE_ALL_FEATURES", org: p.org, recipient: a, states: []string{hh.State}, parent: p}
			c.expires, _ = oracle.Timestamp(hh.ExpirationTimestamp)
			m.add(c)
			return c
		}
	}
	m.fail(rt, "EnableAllFeatures", fmt.Sprintf("member %s lists an open APPROVE_ALL_FEATURES handshake of %s", a.name, p.org.id), fmt.Sprintf("%d handshakes listed, none of them", len(list)),
		"guide (Enabling all features in your organization): every invited member account gets an APPROVE_ALL_FEATURES handshake")
	return nil
}

// advance moves an organization's clock by up to 10 days (25 in all, so
// that no handshake outlives its 30-day retention) and expires the open
// handshakes whose time has come.
func (m *machine) advance(rt *rapid.T) {
	if !m.clock {
		m.instead(rt)
		return
	}
	o := m.pickOrg(rt)
	d := time.Duration(rapid.IntRange(1, 10).Draw(rt, "days"))*24*time.Hour + time.Duration(rapid.IntRange(0, 3600).Draw(rt, "seconds"))*time.Second
	if o.advanced+d.Seconds() > 25*24*3600 {
		m.instead(rt) // the clock has moved 25 days in this example
		return
	}
	err := m.t.Target().AdvanceClock(m.t.Context(), o.id, d)
	m.rec.Step(fmt.Sprintf("%s's clock moves %s", o.name, d), nil,
		fmt.Sprintf(`curl -s -X POST "$ENDPOINT/_orgconform/clock" -d '{"organization":"'"$%s"'","advance_seconds":%d}'`, o.name, int(d.Seconds())))
	if err != nil {
		rt.Fatalf("advance the clock of %s: %v", o.id, err)
	}
	o.advanced += d.Seconds()
	now, _, err := m.t.Target().Clock(m.t.Context(), o.id)
	if err != nil {
		rt.Fatalf("read the clock of %s: %v", o.id, err)
	}
	at := float64(now.UnixNano()) / 1e9
	const margin = 60 // seconds either side of an expiry where either state is fine
	for _, h := range m.w.hs {
		if h.org != o || !h.open() || h.expires == 0 {
			continue
		}
		switch {
		case at >= h.expires+margin:
			var states []string
			for _, s := range h.states {
				if s == "OPEN" || s == "REQUESTED" {
					s = "EXPIRED"
				}
				if !slices.Contains(states, s) {
					states = append(states, s)
				}
			}
			h.states = states
			m.touch(h)
		case at >= h.expires-margin:
			h.widen("EXPIRED")
			m.touch(h)
		}
	}
}

// The read actions: a random reader, judged by the permissions.

func (m *machine) describeAction(rt *rapid.T) {
	m.need(rt, "DescribeHandshake")
	if len(m.w.hs) == 0 {
		m.instead(rt)
		return
	}
	h := rapid.SampledFrom(m.w.hs).Draw(rt, "handshake")
	m.describe(rt, m.pickAccount(rt, "reader"), h, "")
}

func (m *machine) listForAccountAction(rt *rapid.T) {
	m.need(rt, "ListHandshakesForAccount")
	m.listForAccount(rt, m.pickAccount(rt, "reader"), rapid.IntRange(1, 3).Draw(rt, "page size"), "")
}

func (m *machine) listForOrganizationAction(rt *rapid.T) {
	m.need(rt, "ListHandshakesForOrganization")
	a := m.mayCreate(m.pickAccount(rt, "reader"))
	m.listForOrganization(rt, a, rapid.IntRange(1, 3).Draw(rt, "page size"), "")
}

func (m *machine) listAccountsAction(rt *rapid.T) {
	m.need(rt, "ListAccounts")
	m.listAccounts(rt, m.pickOrg(rt), rapid.IntRange(1, 3).Draw(rt, "page size"), "")
}

func (m *machine) describeOrganizationAction(rt *rapid.T) {
	m.need(rt, "DescribeOrganization")
	a := m.mayCreate(m.pickAccount(rt, "reader"))
	m.describeOrganization(rt, a, "")
}

// invariant re-reads what the last action touched, then forgets it.
func (m *machine) invariant(rt *rapid.T) {
	page := rapid.IntRange(1, 3).Draw(rt, "page size")
	const prefix = "check: "
	for _, h := range m.w.hs {
		if !m.dirtyH[h] || !m.has("DescribeHandshake") {
			continue
		}
		roles := m.w.rolesOf(h)
		for _, r := range []string{specs.RoleRecipient, specs.RoleSender, specs.RoleMember, specs.RoleOutsider} {
			if a := roles[r]; a != nil {
				m.describe(rt, a, h, prefix)
			}
		}
	}
	for _, a := range m.w.accounts {
		if !m.dirtyA[a] {
			continue
		}
		if m.has("ListHandshakesForAccount") {
			m.listForAccount(rt, a, page, prefix)
		}
		if m.has("DescribeOrganization") && (a.org != nil || !m.implicit) {
			m.describeOrganization(rt, a, prefix)
		}
	}
	for _, o := range m.w.orgs {
		if !m.dirtyO[o] {
			continue
		}
		if m.has("ListAccounts") {
			m.listAccounts(rt, o, page, prefix)
		}
		if m.has("ListHandshakesForOrganization") {
			m.listForOrganization(rt, o.mgmt, page, prefix)
		}
	}
	clear(m.dirtyH)
	clear(m.dirtyA)
	clear(m.dirtyO)
}

// describe reads h as a: the permissions say whether a may see it; what
// a sees must be h in a state the model allows.
func (m *machine) describe(rt *rapid.T, a *account, h *handshake, prefix string) {
	rl := role(a, h)
	e, _ := oracle.Read("DescribeHandshake", h.action, rl)
	r := m.send(rt, a, "DescribeHandshake", map[string]any{"HandshakeId": h.id}, fmt.Sprintf("%s%s (%s) describes %s %s", prefix, a.name, rl, h.action, h.name), "")
	m.expect(rt, r, e, fmt.Sprintf("DescribeHandshake of %s %s by its %s", h.action, h.name, rl))
	if !r.OK() {
		return
	}
	hh := m.handshake(rt, r)
	if hh.Id != h.id {
		m.fail(rt, "DescribeHandshake", "the answer names handshake "+h.id, "it names "+hh.Id, "")
	}
	m.seen(rt, h, hh.State, "DescribeHandshake by its "+rl)
}

// seen narrows h's states to what a read showed, which must be one of
// them.
func (m *machine) seen(rt *rapid.T, h *handshake, state, how string) {
	if !slices.Contains(h.states, state) {
		m.fail(rt, how, fmt.Sprintf("%s %s in state %s", h.action, h.name, strings.Join(h.states, " or ")), "state "+state, "the transition table (specs/transitions.json) and the calls made so far")
	}
	h.states = []string{state}
}

// listForAccount reads a's handshakes page by page: it must list every
// invitation and member handshake addressed to a, and none addressed to
// another account of the scenario.
func (m *machine) listForAccount(rt *rapid.T, a *account, page int, prefix string) {
	list := m.pages(rt, a, "ListHandshakesForAccount", nil, page, fmt.Sprintf("%s%s lists its handshakes", prefix, a.name), nil)
	listed := map[*handshake]bool{}
	for _, hh := range list {
		h := m.w.byID(hh.Id)
		if h == nil {
			if m.w.orgOf(hh) != nil {
				m.fail(rt, "ListHandshakesForAccount as "+a.name, "only handshakes addressed to "+a.name, fmt.Sprintf("%s handshake %s of this scenario's organization, which the scenario never saw made", hh.Action, hh.Id), listSource)
			}
			continue
		}
		if role(a, h) != specs.RoleRecipient {
			m.fail(rt, "ListHandshakesForAccount as "+a.name, "only handshakes addressed to "+a.name,
				fmt.Sprintf("%s %s, addressed to %s (%s is its %s)", h.action, h.name, h.recipient.name, a.name, role(a, h)), listSource)
		}
		listed[h] = true
		m.seen(rt, h, hh.State, "ListHandshakesForAccount as "+a.name)
	}
	for _, h := range m.w.hs {
		if h.recipient == a && h.action != "ENABLE_ALL_FEATURES" && !listed[h] {
			m.fail(rt, "ListHandshakesForAccount as "+a.name, fmt.Sprintf("%s %s (%s), addressed to %s, listed", h.action, h.name, h.id, a.name), fmt.Sprintf("%d handshakes over every page, not that one", len(list)), listSource)
		}
	}
}

// listSource cites what the lists show.
const listSource = "model: ListHandshakesForAccount lists the recent handshakes you have received; ListHandshakesForOrganization the handshakes of the organization (retained 30 days after they end)"

// listForOrganization reads an organization's handshakes as a: only the
// management account may; it must see every invitation and request of
// its organization and nothing of another.
func (m *machine) listForOrganization(rt *rapid.T, a *account, page int, prefix string) {
	const op = "ListHandshakesForOrganization"
	what := fmt.Sprintf("%s%s lists its organization's handshakes", prefix, a.name)
	if a.manages == nil {
		e := oracle.NotInUse
		if a.org != nil {
			e, _ = oracle.Read(op, "*", specs.RoleMember)
		}
		r := m.send(rt, a, op, map[string]any{"MaxResults": page}, what, "")
		m.expect(rt, r, e, op+" by "+a.name+", which manages no organization")
		return
	}
	o := a.manages
	list := m.pages(rt, a, op, nil, page, what, nil)
	listed := map[*handshake]bool{}
	for _, hh := range list {
		h := m.w.byID(hh.Id)
		if h == nil {
			if other := m.w.orgOf(hh); other != nil && other != o {
				m.fail(rt, op+" as "+a.name, "only "+o.name+"'s handshakes", fmt.Sprintf("%s handshake %s of %s", hh.Action, hh.Id, other.name), listSource)
			}
			continue
		}
		if h.org != o {
			m.fail(rt, op+" as "+a.name, "only "+o.name+"'s handshakes", fmt.Sprintf("%s %s of %s", h.action, h.name, h.org.name), listSource)
		}
		listed[h] = true
		m.seen(rt, h, hh.State, op+" as "+a.name)
	}
	for _, h := range m.w.hs {
		if h.org == o && h.action != "APPROVE_ALL_FEATURES" && !listed[h] {
			m.fail(rt, op+" as "+a.name, fmt.Sprintf("%s %s (%s) of %s listed", h.action, h.name, h.id, o.name), fmt.Sprintf("%d handshakes over every page, not that one", len(list)), listSource)
		}
	}
}

// listAccounts reads o's accounts as its management account: each member
// exactly once, and no other account.
func (m *machine) listAccounts(rt *rapid.T, o *org, page int, prefix string) {
	const op = "ListAccounts"
	in := map[string]any{}
	seen := map[string]int{}
	tokens := map[string]bool{}
	for i := 0; ; i++ {
		if page > 0 {
			in["MaxResults"] = page
		}
		r := m.sendPage(rt, o.mgmt, op, in, fmt.Sprintf("%s%s lists the accounts of %s (page %d)", prefix, o.mgmt.name, o.name, i+1), "")
		m.expect(rt, r, oracle.Expectation{Success: true, Source: "model: ListAccounts lists the accounts of the organization"}, op)
		var out struct {
			Accounts []struct {
				Id, Email string
			}
			NextToken *string
		}
		if err := json.Unmarshal(r.Body, &out); err != nil {
			m.fail(rt, op, "a body with Accounts", err.Error(), "")
		}
		for _, acc := range out.Accounts {
			seen[acc.Id]++
			for _, a := range m.w.accounts {
				if a.p.AccountID == acc.Id && acc.Email != "" && a.email == "" {
					a.email = acc.Email
					m.vars[acc.Email] = a.name + "_EMAIL"
					m.rec.Define(a.name+"_EMAIL", acc.Email)
				}
			}
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		m.token(rt, op, *out.NextToken, tokens, i)
		in["NextToken"] = *out.NextToken
	}
	var want []string
	for _, a := range m.w.members(o) {
		want = append(want, a.name)
		switch n := seen[a.p.AccountID]; {
		case n == 0:
			m.fail(rt, op+" of "+o.name, a.name+" listed once", "not listed on any page", accountsSource)
		case n > 1:
			m.fail(rt, op+" of "+o.name, a.name+" listed once", fmt.Sprintf("listed %d times", n), accountsSource)
		}
		delete(seen, a.p.AccountID)
	}
	for id := range seen {
		m.fail(rt, op+" of "+o.name, "exactly its accounts: "+strings.Join(want, ", "), "also account "+id, accountsSource)
	}
}

// accountsSource cites what ListAccounts shows.
const accountsSource = "model: ListAccounts lists the accounts in the organization (the management account and every member, each once)"

// token fails on a NextToken that came back, or on too many pages.
func (m *machine) token(rt *rapid.T, op, token string, seen map[string]bool, i int) {
	switch {
	case seen[token]:
		m.fail(rt, op, "each NextToken handed out once", fmt.Sprintf("NextToken %q came back on page %d", token, i+1), "")
	case i > m.maxPages():
		m.fail(rt, op, fmt.Sprintf("the last page within %d pages (%d a handshake or account the scenario made, and %d more)", m.maxPages(), pagesPerItem, emptyPages),
			"NextToken still set", "model: NextToken is null once there is no more output")
	}
	seen[token] = true
}

// maxPages bounds how far a list of the scenario is followed: a list holds
// at most every handshake and account the scenario made, and a target may
// hand out empty pages before the last (AWS: a page may hold fewer results
// than MaxResults, even none), so a few pages an item, and a hundred more,
// are allowed. A list still going beyond that never ends.
func (m *machine) maxPages() int { return pagesPerItem*(len(m.w.hs)+len(m.w.accounts)) + emptyPages }

// pagesPerItem and emptyPages make the bound of maxPages.
const (
	pagesPerItem = 16
	emptyPages   = 100
)

// describeOrganization reads a's organization: a member's names the
// organization it joined (managed by its management account); an account
// in none gets AWSOrganizationsNotInUseException.
func (m *machine) describeOrganization(rt *rapid.T, a *account, prefix string) {
	r := m.send(rt, a, "DescribeOrganization", nil, fmt.Sprintf("%s%s describes its organization", prefix, a.name), "")
	if a.org == nil {
		m.expect(rt, r, oracle.NotInUse, "DescribeOrganization by "+a.name+", in no organization")
		return
	}
	m.expect(rt, r, oracle.Expectation{Success: true, Source: "model: DescribeOrganization retrieves information about the organization that the user's account belongs to"}, "DescribeOrganization")
	var out struct {
		Organization struct{ Id, MasterAccountId string }
	}
	_ = json.Unmarshal(r.Body, &out)
	if out.Organization.Id != a.org.id || (out.Organization.MasterAccountId != "" && out.Organization.MasterAccountId != a.org.mgmt.p.AccountID) {
		m.fail(rt, "DescribeOrganization by "+a.name, fmt.Sprintf("organization %s (%s) managed by %s", a.org.name, a.org.id, a.org.mgmt.p.AccountID),
			fmt.Sprintf("organization %q managed by %q", out.Organization.Id, out.Organization.MasterAccountId), "model: DescribeOrganization")
	}
}

// pages follows a handshake list to its end as a (page: MaxResults, 0
// for none): every page a success, no NextToken twice, no handshake twice.
// capture, when set, is asked of every page's handshakes for a "VAR=query"
// capture of that page's replay line ("" for none).
func (m *machine) pages(rt *rapid.T, a *account, op string, in map[string]any, page int, what string, capture func([]oracle.Handshake) string) []oracle.Handshake {
	body := map[string]any{}
	for k, v := range in {
		body[k] = v
	}
	e := oracle.Expectation{Success: true, Source: listSource}
	var out []oracle.Handshake
	ids := map[string]bool{}
	tokens := map[string]bool{}
	for i := 0; ; i++ {
		if page > 0 {
			body["MaxResults"] = page
		}
		r := m.t.Send(a.p, op, jsonOf(body))
		list, next, err := oracle.DecodeHandshakes(r.Body)
		c := ""
		if capture != nil && err == nil {
			c = capture(list)
		}
		m.recordPage(rt, a, op, body, r, fmt.Sprintf("%s (page %d)", what, i+1), c)
		m.expect(rt, r, e, op+" by "+a.name)
		if err != nil {
			m.fail(rt, op, "a handshake list", err.Error(), "")
		}
		if page > 0 && len(list) > page {
			m.fail(rt, op, fmt.Sprintf("at most MaxResults %d handshakes a page", page), fmt.Sprintf("%d on page %d", len(list), i+1), "model: MaxResults is the most results a page holds")
		}
		for _, hh := range list {
			if ids[hh.Id] {
				m.fail(rt, op+" by "+a.name, "each handshake on one page only", fmt.Sprintf("%s listed again on page %d", hh.Id, i+1), "model: NextToken continues where the previous page ended")
			}
			ids[hh.Id] = true
			if bad := oracle.Shape(hh); len(bad) > 0 {
				m.fail(rt, op, "handshakes of the documented shape", strings.Join(bad, "; "), "")
			}
		}
		out = append(out, list...)
		if next == "" {
			return out
		}
		m.token(rt, op, next, tokens, i)
		body["NextToken"] = next
	}
}

// send calls op as a with in, records the step (and its replay line;
// capture "VAR=query" keeps a value for later lines), and fails on an
// answer that is not one: no response, an unreadable or unclassified body,
// a success whose body breaks the response schema.
func (m *machine) send(rt *rapid.T, a *account, op string, in map[string]any, what, capture string) *endpoint.Response {
	body := jsonOf(in)
	r := m.t.Send(a.p, op, body)
	var captures []string
	if capture != "" {
		captures = append(captures, capture)
	}
	m.record(rt, op, r, what, captureLine(func(query string) string { return m.cli(a, op, body, query) }, captures))
	return r
}

// sendPage is send for one page of a list (in: its request, with the
// previous page's NextToken, if any).
func (m *machine) sendPage(rt *rapid.T, a *account, op string, in map[string]any, what, capture string) *endpoint.Response {
	r := m.t.Send(a.p, op, jsonOf(in))
	m.recordPage(rt, a, op, in, r, what, capture)
	return r
}

// recordPage records one page of a list, r the answer to in. Its replay
// line follows the pages of the scenario, not the ones of the run: it
// sends the previous page's NextToken as the variable that captured it,
// runs only when that variable holds a token, and captures the answer's
// NextToken, if any, in a new variable (T1, T2, …) for the next page's
// line; capture "VAR=query" keeps a further value.
func (m *machine) recordPage(rt *rapid.T, a *account, op string, in map[string]any, r *endpoint.Response, what, capture string) {
	body := jsonOf(in)
	token := ""
	if t, ok := in["NextToken"].(string); ok {
		token = m.tokens[t]
	}
	var captures []string
	if capture != "" {
		captures = append(captures, capture)
	}
	var out struct{ NextToken *string }
	next := ""
	if r.OK() && json.Unmarshal(r.Body, &out) == nil && out.NextToken != nil {
		next = *out.NextToken
	}
	name := ""
	if next != "" {
		name = m.nextName("T")
		captures = append(captures, name+"=NextToken") // last: a token the replay's target leaves empty shifts nothing
	}
	line := captureLine(func(query string) string { return m.cliPage(a, op, body, token, query) }, captures)
	if name != "" {
		m.tokens[next] = name // after the line: a token that came back is sent as the variable it was captured in
	}
	m.record(rt, op, r, what, line)
}

// record records the step of a call (and its replay line), and fails on an
// answer that is not one: no response, an unreadable or unclassified body,
// a success whose body breaks the response schema.
func (m *machine) record(rt *rapid.T, op string, r *endpoint.Response, what, line string) {
	m.rec.Step(what, r, line)
	m.t.NoAnswer(r) // a verdict, not a failing example to shrink
	switch {
	case r.Kind != endpoint.KindSuccess && r.Kind != endpoint.KindError:
		m.fail(rt, what, "an answer", r.Summary(), "")
	case r.OK():
		if err := schemas.ValidateResponse(op, r.Body); err != nil {
			m.fail(rt, what, op+"'s response schema", oneLine(err.Error()), "schemas/")
		}
	}
}

// expect fails unless r is an answer e allows.
func (m *machine) expect(rt *rapid.T, r *endpoint.Response, e oracle.Expectation, what string) {
	if v := oracle.Judge(e, answerOf(r)); !v.Pass {
		m.fail(rt, what, v.Expected, v.Observed, e.Source)
	}
}

// handshake decodes the handshake of a success and checks its shape.
func (m *machine) handshake(rt *rapid.T, r *endpoint.Response) oracle.Handshake {
	hh, err := oracle.DecodeHandshake(r.Body)
	if err != nil {
		m.fail(rt, r.Op, "a body with a Handshake", err.Error(), "")
	}
	if bad := oracle.Shape(hh); len(bad) > 0 {
		m.fail(rt, r.Op, "a handshake of the documented shape", strings.Join(bad, "; "), "")
	}
	return hh
}

// fail ends the example as a counterexample. rapid's message names
// everything by the replay script's variables (ids differ from run to run,
// and rapid shrinks only towards failures with the same message); the
// check's account of the failure keeps the ids.
func (m *machine) fail(rt *rapid.T, what, expected, observed, source string) {
	msg := fmt.Sprintf("%s\n  expected: %s\n  observed: %s", what, expected, observed)
	if source != "" {
		msg += "\n  source: " + source
	}
	stable := m.stable(msg)
	if stable != msg {
		m.rec.Explain("with the ids of the last run: " + msg)
	}
	rt.Fatalf("%s", stable)
}

// stable replaces the ids of a message by the replay script's variables,
// and ids the scenario does not know by their shape.
func (m *machine) stable(s string) string {
	values := make([]string, 0, len(m.vars))
	for v := range m.vars {
		values = append(values, v)
	}
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	for _, v := range values {
		s = strings.ReplaceAll(s, v, "$"+m.vars[v])
	}
	for _, re := range idShapes {
		s = re.re.ReplaceAllString(s, re.with)
	}
	return s
}

// idShapes are ids that differ from run to run.
var idShapes = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\bh-[0-9a-z]{8,32}\b`), "h-…"},
	{regexp.MustCompile(`\bo-[0-9a-z]{10,32}\b`), "o-…"},
	{regexp.MustCompile(`\b[0-9]{12}\b`), "(account)"},
	{regexp.MustCompile(`NextToken "[^"]*"`), "NextToken …"},
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "(request id)"},
}

// nextName is the next replay variable with prefix (H1, H2, …).
func (m *machine) nextName(prefix string) string {
	m.counts["var "+prefix]++
	return fmt.Sprintf("%s%d", prefix, m.counts["var "+prefix])
}

// cli is the aws CLI line that sends body to op as a, with the ids the
// scenario made replaced by the replay script's variables (query, when
// set, prints one value of the answer).
func (m *machine) cli(a *account, op string, body []byte, query string) string {
	return m.cliPage(a, op, body, "", query)
}

// cliPage is cli for a page of a list whose NextToken (if any) the
// variable token captured (cliLine).
func (m *machine) cliPage(a *account, op string, body []byte, token, query string) string {
	m.rec.Define(a.name, a.p.AccountID)
	for _, x := range m.w.accounts {
		m.rec.Define(x.name, x.p.AccountID)
	}
	return cliLine(a.name, op, body, m.vars, token, query)
}

// jsonOf encodes a request body ({} for nil).
func jsonOf(in any) []byte {
	if in == nil {
		return []byte("{}")
	}
	if m, ok := in.(map[string]any); ok && m == nil {
		return []byte("{}")
	}
	b, err := json.Marshal(in)
	if err != nil {
		return []byte("{}")
	}
	return b
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
