package fuzz

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/oracle"
)

// Lifecycle returns a rapid property: a state machine that invites accounts
// to one organization and has random callers accept, decline and cancel the
// invitations (and, where the target offers clock control, lets them
// expire), judging every answer by the transition table in specs/ and
// checking after every step that DescribeHandshake agrees with the model.
func Lifecycle(ctx context.Context, tgt *endpoint.Target) func(*rapid.T) {
	return func(t *rapid.T) {
		m := newMachine(ctx, tgt, t)
		defer m.cleanup()
		t.Repeat(map[string]func(*rapid.T){
			"invite":  m.invite,
			"respond": m.respond,
			"advance": m.advance,
			"":        m.agree,
		})
	}
}

// modelHandshake is what the model knows of one invitation.
type modelHandshake struct {
	id        string
	recipient endpoint.Principal
	state     string
	expires   float64 // ExpirationTimestamp, epoch seconds
}

// machine is the model: one organization, a pool of accounts, and every
// invitation sent.
type machine struct {
	ctx        context.Context
	tgt        *endpoint.Target
	t          *rapid.T
	org        string // the organization's id, whose clock advance moves
	mgmt       endpoint.Principal
	pool       []endpoint.Principal
	outsider   endpoint.Principal
	members    map[string]bool
	handshakes []*modelHandshake
	clock      bool
	advanced   time.Duration
}

func newMachine(ctx context.Context, tgt *endpoint.Target, t *rapid.T) *machine {
	m := &machine{ctx: ctx, tgt: tgt, t: t, mgmt: tgt.Mint("management"), outsider: tgt.Mint("outsider"), members: map[string]bool{}}
	for range 4 {
		m.pool = append(m.pool, tgt.Mint("recipient"))
	}
	var created struct{ Organization struct{ Id string } }
	if err := json.Unmarshal(m.must(m.call(m.mgmt, "CreateOrganization", map[string]string{"FeatureSet": "ALL"})).Body, &created); err != nil {
		t.Fatalf("CreateOrganization: the body is not an Organization: %v", err)
	}
	m.org = created.Organization.Id
	_, ok, err := tgt.Clock(ctx, m.org)
	m.clock = ok && err == nil
	return m
}

func (m *machine) call(p endpoint.Principal, op string, in any) *endpoint.Response {
	body, _ := json.Marshal(in)
	return m.tgt.Raw(m.ctx, p, op, body)
}

func (m *machine) must(r *endpoint.Response) *endpoint.Response {
	if !r.OK() {
		m.t.Fatalf("%s: %s", r.Op, r.Summary())
	}
	return r
}

type wireHandshake struct {
	Handshake struct {
		Id                  string
		State               string
		ExpirationTimestamp float64
	}
}

func (m *machine) decode(r *endpoint.Response) wireHandshake {
	var w wireHandshake
	if err := json.Unmarshal(r.Body, &w); err != nil {
		m.t.Fatalf("%s: body is not a Handshake: %v", r.Op, err)
	}
	return w
}

// invite invites a pool account that is neither a member nor invited.
func (m *machine) invite(t *rapid.T) {
	var free []endpoint.Principal
	for _, p := range m.pool {
		if !m.members[p.AccountID] && m.open(p) == nil {
			free = append(free, p)
		}
	}
	if len(free) == 0 {
		t.Skip("every pool account is a member or invited")
	}
	p := rapid.SampledFrom(free).Draw(t, "recipient")
	w := m.decode(m.must(m.call(m.mgmt, "InviteAccountToOrganization", map[string]any{"Target": map[string]string{"Type": "ACCOUNT", "Id": p.AccountID}})))
	if !slices.Contains(contract.Lifecycle.InitialStateSet("INVITE"), w.Handshake.State) {
		t.Fatalf("new invitation in state %q", w.Handshake.State)
	}
	m.handshakes = append(m.handshakes, &modelHandshake{id: w.Handshake.Id, recipient: p, state: w.Handshake.State, expires: w.Handshake.ExpirationTimestamp})
}

// open returns p's invitation that is still open, if any.
func (m *machine) open(p endpoint.Principal) *modelHandshake {
	for _, h := range m.handshakes {
		if h.recipient.AccountID == p.AccountID && (h.state == "OPEN" || h.state == "REQUESTED") {
			return h
		}
	}
	return nil
}

// respond has a random caller accept, decline or cancel a random invitation.
func (m *machine) respond(t *rapid.T) {
	if len(m.handshakes) == 0 {
		t.Skip("no invitation yet")
	}
	h := rapid.SampledFrom(m.handshakes).Draw(t, "handshake")
	op := rapid.SampledFrom([]string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake"}).Draw(t, "operation")
	roles := map[string]endpoint.Principal{"recipient": h.recipient, "sender": m.mgmt, "outsider": m.outsider}
	for _, p := range m.pool {
		if m.members[p.AccountID] && p.AccountID != h.recipient.AccountID {
			roles["member"] = p
		}
	}
	role := rapid.SampledFrom(keys(roles)).Draw(t, "role")
	e, ok := oracle.Transition("INVITE", h.state, op, role)
	if !ok {
		t.Fatalf("the transition table has no row INVITE/%s/%s/%s", h.state, op, role)
	}
	r := m.call(roles[role], op, map[string]string{"HandshakeId": h.id})
	if v := oracle.Judge(e, check.Answer(r)); !v.Pass {
		t.Fatalf("%s of %s %s by %s: expected %s; observed %s", op, h.state, h.id, role, v.Expected, v.Observed)
	}
	if r.OK() {
		h.state = e.State
		if h.state == "ACCEPTED" {
			m.members[h.recipient.AccountID] = true
		}
	}
}

// advance moves the organization's clock by up to 10 days (25 in all, so that no
// handshake outlives its 30-day retention) and expires the model's open
// invitations whose time has come.
func (m *machine) advance(t *rapid.T) {
	if !m.clock {
		t.Skip("the target offers no clock control")
	}
	d := time.Duration(rapid.IntRange(1, 10).Draw(t, "days"))*24*time.Hour + time.Duration(rapid.IntRange(0, 3600).Draw(t, "seconds"))*time.Second
	if m.advanced+d > 25*24*time.Hour {
		t.Skip("the clock has moved 25 days in this run")
	}
	if err := m.tgt.AdvanceClock(m.ctx, m.org, d); err != nil {
		t.Fatalf("advance the clock: %v", err)
	}
	m.advanced += d
	now, _, err := m.tgt.Clock(m.ctx, m.org)
	if err != nil {
		t.Fatalf("read the clock: %v", err)
	}
	for _, h := range m.handshakes {
		if (h.state == "OPEN" || h.state == "REQUESTED") && float64(now.UnixNano())/1e9 >= h.expires {
			h.state = "EXPIRED"
		}
	}
}

// agree checks that the target describes every invitation as the model has it.
func (m *machine) agree(t *rapid.T) {
	for _, h := range m.handshakes {
		r := m.call(h.recipient, "DescribeHandshake", map[string]string{"HandshakeId": h.id})
		if !r.OK() {
			t.Fatalf("DescribeHandshake %s: %s", h.id, r.Summary())
		}
		if got := m.decode(r).Handshake.State; got != h.state {
			t.Fatalf("DescribeHandshake %s: state %s, the model says %s", h.id, got, h.state)
		}
	}
}

// cleanup cancels open invitations, removes members and deletes the
// organization, best effort: a long-lived target keeps no garbage.
func (m *machine) cleanup() {
	for _, h := range m.handshakes {
		if h.state == "OPEN" || h.state == "REQUESTED" {
			m.call(m.mgmt, "CancelHandshake", map[string]string{"HandshakeId": h.id})
		}
	}
	for _, p := range m.pool {
		if m.members[p.AccountID] {
			m.call(m.mgmt, "RemoveAccountFromOrganization", map[string]string{"AccountId": p.AccountID})
		}
	}
	m.call(m.mgmt, "DeleteOrganization", map[string]string{})
}

func keys(m map[string]endpoint.Principal) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
