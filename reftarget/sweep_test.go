package reftarget

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
	"weak"

	"pgregory.net/rapid"
)

// sweepModel drives a Server's state directly — organizations sending
// invitations, invitations accepted, all-features processes started and
// answered, members removed, handshakes closing, organization clocks
// moving, organizations deleted, sweep steps — and checks after every step
// that the sweep released only what retention ended, kept the log in
// creation order, left the indexes agreeing with the log, and left no
// retained pointer (an organization's request, a family's request or
// children) to a released handshake.
type sweepModel struct {
	s       *Server
	now     time.Time
	orgs    []*organization
	created []*handshake // every handshake ever made, in creation order
	n       int
}

func (m *sweepModel) call(account string) *call {
	return &call{account: account, now: m.now}
}

func (m *sweepModel) newOrg(t *rapid.T) {
	m.n++
	featureSet := rapid.SampledFrom([]string{featuresAll, featuresBilling}).Draw(t, "featureSet")
	m.orgs = append(m.orgs, m.s.createOrg(fmt.Sprintf("%012d", 100000000000+m.n), featureSet, m.now))
}

// do runs an operation's handler as account with a JSON body and fails
// on an error.
func (m *sweepModel) do(t *rapid.T, op func(*Server, *call) (any, *apiError), account, body string) any {
	c := m.call(account)
	c.body = []byte(body)
	out, e := op(m.s, c)
	if e != nil {
		t.Fatalf("%s by %s: %v", body, account, e)
	}
	return out
}

// join: an account invited by a live organization accepts (and joins).
func (m *sweepModel) join(t *rapid.T) {
	var open []*handshake
	for h := range m.s.st.log.all() {
		if _, member := m.s.st.members[h.recipient]; h.action == actionInvite && h.stateAt(m.now) == stateOpen && !h.clock.deleted && !member {
			open = append(open, h)
		}
	}
	if len(open) == 0 {
		t.Skip("no invitation to accept")
	}
	h := rapid.SampledFrom(open).Draw(t, "invitation")
	m.do(t, (*Server).acceptHandshake, h.recipient, `{"HandshakeId":"`+h.id+`"}`)
}

// enableAll starts the all-features process of a live organization that
// can start one.
func (m *sweepModel) enableAll(t *rapid.T) {
	orgs := slices.DeleteFunc(m.live(), func(o *organization) bool {
		return o.featureSet == featuresAll || o.migration.pending(m.now)
	})
	if len(orgs) == 0 {
		t.Skip("no organization can enable all features")
	}
	org := rapid.SampledFrom(orgs).Draw(t, "org")
	m.do(t, (*Server).enableAllFeatures, org.mgmt, "")
	m.created = append(m.created, org.migration)
	m.created = append(m.created, org.migration.children()...)
}

// respond answers a live all-features handshake as its recipient (accept
// or decline) or its sender (cancel), through the handlers.
func (m *sweepModel) respond(t *rapid.T) {
	var live []*handshake
	for h := range m.s.st.log.all() {
		if h.family != nil && (h.stateAt(m.now) == stateOpen || h.stateAt(m.now) == stateRequested) {
			live = append(live, h)
		}
	}
	if len(live) == 0 {
		t.Skip("no all-features handshake to answer")
	}
	h := rapid.SampledFrom(live).Draw(t, "handshake")
	body := `{"HandshakeId":"` + h.id + `"}`
	switch how := rapid.SampledFrom([]string{"accept", "decline", "cancel"}).Draw(t, "response"); {
	case how == "accept" && h.stateAt(m.now) == stateOpen:
		m.do(t, (*Server).acceptHandshake, h.recipient, body)
	case how == "decline":
		m.do(t, (*Server).declineHandshake, h.recipient, body)
	default:
		m.do(t, (*Server).cancelHandshake, h.mgmt, body)
	}
}

// removeMember removes a member account from a live organization.
func (m *sweepModel) removeMember(t *rapid.T) {
	var pairs [][2]string
	for _, o := range m.live() {
		for _, a := range o.accounts[1:] {
			pairs = append(pairs, [2]string{o.mgmt, a.account})
		}
	}
	if len(pairs) == 0 {
		t.Skip("no member account")
	}
	p := rapid.SampledFrom(pairs).Draw(t, "member")
	m.do(t, (*Server).removeAccount, p[0], `{"AccountId":"`+p[1]+`"}`)
}

func (m *sweepModel) live() []*organization {
	return slices.DeleteFunc(slices.Clone(m.orgs), func(o *organization) bool { return o.clock.deleted })
}

func (m *sweepModel) invite(t *rapid.T) {
	orgs := m.live()
	if len(orgs) == 0 {
		t.Skip("no organization")
	}
	org := rapid.SampledFrom(orgs).Draw(t, "org")
	m.n++
	recipient := fmt.Sprintf("%012d", 200000000000+m.n)
	p := party{ID: recipient, Type: partyAccount}
	h := m.s.newHandshake(org, actionInvite, recipient, p, "", m.now)
	m.s.st.invites.put(inviteKeyFor(org.id, recipient, p), h)
	m.created = append(m.created, h)
}

func (m *sweepModel) close(t *rapid.T) {
	var open []*handshake
	for h := range m.s.st.log.all() {
		if h.stateAt(m.now) == stateOpen {
			open = append(open, h)
		}
	}
	if len(open) == 0 {
		t.Skip("nothing open")
	}
	h := rapid.SampledFrom(open).Draw(t, "handshake")
	h.state, h.closed = rapid.SampledFrom([]string{stateAccepted, stateDeclined, stateCanceled}).Draw(t, "to"), h.clock.at(m.now)
}

func (m *sweepModel) advanceOrg(t *rapid.T) {
	if len(m.orgs) == 0 {
		t.Skip("no organization")
	}
	k := rapid.SampledFrom(m.orgs).Draw(t, "org").clock
	k.advance(m.now, time.Duration(rapid.IntRange(0, 50).Draw(t, "days"))*24*time.Hour)
}

func (m *sweepModel) advanceAll(t *rapid.T) {
	m.now = m.now.Add(time.Duration(rapid.IntRange(0, 20).Draw(t, "days")) * 24 * time.Hour)
}

func (m *sweepModel) deleteOrg(t *rapid.T) {
	orgs := slices.DeleteFunc(m.live(), func(o *organization) bool { return len(o.accounts) > 1 })
	if len(orgs) == 0 {
		t.Skip("no organization without members")
	}
	org := rapid.SampledFrom(orgs).Draw(t, "org")
	if _, e := m.s.deleteOrganization(m.call(org.mgmt)); e != nil {
		t.Fatalf("DeleteOrganization: %v", e)
	}
}

func (m *sweepModel) sweep(t *rapid.T) {
	for range rapid.IntRange(1, 5).Draw(t, "steps") {
		m.s.sweep(m.now)
	}
}

// check is the invariant.
func (m *sweepModel) check(t *rapid.T) {
	st := m.s.st
	var logged []*handshake
	for h := range st.log.all() {
		logged = append(logged, h)
	}
	// The log is the created handshakes minus released ones, in order, and
	// nothing still retained was released.
	i := 0
	for _, h := range m.created {
		if i < len(logged) && logged[i] == h {
			i++
			continue
		}
		if !h.gone(m.now, m.s.retention) {
			t.Fatalf("handshake %s was released before its retention ended", h.id)
		}
		if _, ok := st.handshakes.get(h.id); ok {
			t.Fatalf("released handshake %s is still in the id index", h.id)
		}
	}
	if i != len(logged) {
		t.Fatalf("the log holds %d handshakes that are not, in order, the created ones", len(logged)-i)
	}
	if st.handshakes.len() != len(logged) {
		t.Fatalf("the id index holds %d, the log %d", st.handshakes.len(), len(logged))
	}
	counts := map[*orgClock]int{}
	for _, h := range logged {
		if got, ok := st.handshakes.get(h.id); !ok || got != h {
			t.Fatalf("handshake %s of the log is not in the id index", h.id)
		}
		counts[h.clock]++
	}
	for _, o := range m.orgs {
		k := o.clock
		if k.handshakes != counts[k] {
			t.Fatalf("organization %s counts %d handshakes, the log has %d", k.id, k.handshakes, counts[k])
		}
		got, retired := st.retired.get(k.id)
		if want := k.deleted && k.handshakes > 0; retired != want || (retired && got != k) {
			t.Fatalf("organization %s (deleted %v, %d handshakes): retired %v", k.id, k.deleted, k.handshakes, retired)
		}
		if !k.deleted {
			for _, h := range logged {
				if h.clock == k && !slices.Contains(k.sent, h) {
					t.Fatalf("organization %s lost handshake %s from its list", k.id, h.id)
				}
			}
		}
	}
	m.checkFamilies(t, logged)
	// Every open invitation is still indexed (the duplicate check needs it).
	for _, h := range logged {
		if h.action == actionInvite && h.stateAt(m.now) == stateOpen {
			if got, ok := st.invites.get(inviteKeyOf(h)); !ok || got != h {
				t.Fatalf("open invitation %s is not in the invitation index", h.id)
			}
		}
	}
}

// checkFamilies: what is retained points only to what is retained, and a
// released handshake points nowhere.
func (m *sweepModel) checkFamilies(t *rapid.T, logged []*handshake) {
	retained := map[*handshake]bool{}
	for _, h := range logged {
		retained[h] = true
	}
	for _, o := range m.live() {
		if o.migration != nil && !retained[o.migration] {
			t.Fatalf("organization %s still points to its released request %s", o.id, o.migration.id)
		}
	}
	for _, h := range m.created {
		if !retained[h] {
			if h.family != nil {
				t.Fatalf("released handshake %s still points to its family", h.id)
			}
			continue
		}
		fam := h.family
		switch h.action {
		case actionEnable:
			if fam == nil || fam.request != h || fam.requestID != h.id {
				t.Fatalf("request %s is not its family's request", h.id)
			}
		case actionApprove:
			if fam == nil || !slices.Contains(fam.children, h) {
				t.Fatalf("child %s is not among its family's children", h.id)
			}
		}
		if fam == nil {
			continue
		}
		if fam.request != nil && !retained[fam.request] {
			t.Fatalf("the family of %s points to its released request %s", h.id, fam.request.id)
		}
		for _, child := range fam.children {
			if !retained[child] {
				t.Fatalf("the family of %s points to its released child %s", h.id, child.id)
			}
		}
	}
}

func TestSweepReleasesOnlyWhatRetentionEnded(t *testing.T) {
	defer func(n int) { minShrink = n }(minShrink)
	minShrink = 4 // so that the indexes are rebuilt during the runs
	rapid.Check(t, func(t *rapid.T) {
		s, err := NewChecked(Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := &sweepModel{s: s, now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
		t.Repeat(map[string]func(*rapid.T){
			"newOrg":       m.newOrg,
			"invite":       m.invite,
			"join":         m.join,
			"enableAll":    m.enableAll,
			"respond":      m.respond,
			"removeMember": m.removeMember,
			"close":        m.close,
			"advanceOrg":   m.advanceOrg,
			"advanceAll":   m.advanceAll,
			"deleteOrg":    m.deleteOrg,
			"sweep":        m.sweep,
			"":             m.check,
		})
		// Two full passes release everything past its retention.
		for range 2*(s.st.log.len()/sweepBatch+1) + 2 {
			s.sweep(m.now)
		}
		m.check(t)
		for h := range s.st.log.all() {
			if h.gone(m.now, s.retention) {
				t.Fatalf("handshake %s is past its retention but still kept after two passes", h.id)
			}
		}
	})
}

// TestShrinkingMapGivesMemoryBack: a map that fell to a quarter of its
// peak is rebuilt during one pass, keeping every live entry.
func TestShrinkingMapGivesMemoryBack(t *testing.T) {
	if minShrink < 16 {
		t.Fatalf("minShrink %d", minShrink)
	}
	m := newShrinkingMap[int, int]()
	for i := range 4 * minShrink {
		m.put(i, i)
	}
	for i := range 4*minShrink - 10 {
		m.delIf(i, i)
	}
	m.beginShrink()
	if m.old == nil || len(m.cur) != 0 {
		t.Fatalf("no shrink began at %d of a peak %d", m.len(), m.peak)
	}
	m.put(-1, -1)
	for i := 4*minShrink - 10; i < 4*minShrink; i++ {
		if v, ok := m.get(i); !ok || v != i {
			t.Fatalf("entry %d lost during the shrink", i)
		}
		m.keepIf(i, i)
	}
	m.endShrink()
	if m.old != nil || len(m.cur) != 11 || m.peak != 11 {
		t.Fatalf("after the pass: old %v, %d entries, peak %d", m.old != nil, len(m.cur), m.peak)
	}
	// Below minShrink nothing is rebuilt.
	m.beginShrink()
	if m.old != nil {
		t.Fatal("a small map was rebuilt")
	}
}

// familyScene is a test organization in the middle of its all-features process:
// two invited members, both asked to approve.
type familyScene struct {
	s                *Server
	now              time.Time
	org              *organization
	mgmt, m1, m2     string
	request          string
	approval1, appr2 string
}

func newFamilyScene(t *testing.T) *familyScene {
	t.Helper()
	s, err := NewChecked(Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &familyScene{s: s, now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		mgmt: "710000000000", m1: "710000000001", m2: "710000000002"}
	f.org = s.createOrg(f.mgmt, featuresBilling, f.now)
	for _, member := range []string{f.m1, f.m2} {
		inv := f.do(t, (*Server).inviteAccount, f.mgmt, `{"Target":{"Id":"`+member+`","Type":"ACCOUNT"}}`)
		f.do(t, (*Server).acceptHandshake, member, `{"HandshakeId":"`+inv.Handshake.ID+`"}`)
	}
	f.request = f.do(t, (*Server).enableAllFeatures, f.mgmt, "").Handshake.ID
	children := f.org.migration.children()
	if len(children) != 2 {
		t.Fatalf("%d children, want 2", len(children))
	}
	f.approval1, f.appr2 = children[0].id, children[1].id
	return f
}

// do runs an operation that answers one handshake as account, failing the
// test on an error.
func (f *familyScene) do(t *testing.T, op func(*Server, *call) (any, *apiError), account, body string) handshakeOutput {
	t.Helper()
	out, e := op(f.s, &call{account: account, body: []byte(body), now: f.now})
	if e != nil {
		t.Fatalf("%s by %s: %v", body, account, e)
	}
	h, _ := out.(handshakeOutput)
	return h
}

// passAndSweep moves the organization's clock by d and runs two full sweep
// passes.
func (f *familyScene) passAndSweep(d time.Duration) {
	f.org.clock.advance(f.now, d)
	for range 2*(f.s.st.log.len()/sweepBatch+1) + 2 {
		f.s.sweep(f.now)
	}
}

// state returns the state of handshake id as the management account sees
// it ("gone" when it is released).
func (f *familyScene) state(id string) string {
	h, ok := f.s.st.handshakes.get(id)
	if !ok {
		return "gone"
	}
	return h.stateAt(f.now)
}

// TestReleasedDeclineStillBlocks: a member's declined APPROVE_ALL_FEATURES
// handshake, released 30 days after the decline, still keeps the request
// REQUESTED while that member stays; removing the member opens it.
func TestReleasedDeclineStillBlocks(t *testing.T) {
	f := newFamilyScene(t)
	f.do(t, (*Server).declineHandshake, f.m1, `{"HandshakeId":"`+f.approval1+`"}`)
	f.passAndSweep(31 * 24 * time.Hour)
	if st := f.state(f.approval1); st != "gone" {
		t.Fatalf("the declined approval is %s 31 days on, want released", st)
	}
	f.do(t, (*Server).acceptHandshake, f.m2, `{"HandshakeId":"`+f.appr2+`"}`)
	if st := f.state(f.request); st != stateRequested {
		t.Fatalf("request %s after the other member approved, want REQUESTED (the first declined)", st)
	}
	c := &call{account: f.mgmt, body: []byte(`{"HandshakeId":"` + f.request + `"}`), now: f.now}
	if _, e := f.s.acceptHandshake(c); e == nil || e.Type != errInvalidTransition {
		t.Fatalf("accepting the REQUESTED request: %v, want %s", e, errInvalidTransition)
	}
	f.do(t, (*Server).removeAccount, f.mgmt, `{"AccountId":"`+f.m1+`"}`)
	if st := f.state(f.request); st != stateOpen {
		t.Fatalf("request %s once the member that declined left, want OPEN", st)
	}
}

// TestSweepFreesFamilies: once retention ends, the sweep releases the
// request and its children and the garbage collector frees them — no
// retained pointer (the organization's request, the family, the
// organization's list of what it sent, which empties when nothing it sent
// is retained) keeps them alive.
func TestSweepFreesFamilies(t *testing.T) {
	f := newFamilyScene(t)
	f.do(t, (*Server).acceptHandshake, f.m1, `{"HandshakeId":"`+f.approval1+`"}`)
	f.do(t, (*Server).acceptHandshake, f.m2, `{"HandshakeId":"`+f.appr2+`"}`)
	f.do(t, (*Server).acceptHandshake, f.mgmt, `{"HandshakeId":"`+f.request+`"}`)
	if f.org.featureSet != featuresAll {
		t.Fatalf("feature set %s after the request was accepted", f.org.featureSet)
	}
	ptrs := f.weakFamily()
	f.passAndSweep(29 * 24 * time.Hour)
	runtime.GC()
	for i, p := range ptrs {
		if p.Value() == nil {
			t.Fatalf("handshake %d freed before its retention ended", i)
		}
	}
	f.passAndSweep(2 * 24 * time.Hour)
	if f.org.migration != nil {
		t.Fatalf("the organization still points to its released request")
	}
	runtime.GC()
	runtime.GC()
	for i, p := range ptrs {
		if p.Value() != nil {
			t.Fatalf("handshake %d of the family (0 the request) still reachable after its release", i)
		}
	}
	runtime.KeepAlive(f.s) // the target stays: only what it released may go
}

// weakFamily returns weak pointers to the request and its children.
func (f *familyScene) weakFamily() []weak.Pointer[handshake] {
	var ptrs []weak.Pointer[handshake]
	for _, id := range []string{f.request, f.approval1, f.appr2} {
		h, _ := f.s.st.handshakes.get(id)
		ptrs = append(ptrs, weak.Make(h))
	}
	return ptrs
}
