package reftarget

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// sweepModel drives a Server's state directly — organizations sending
// invitations, handshakes closing, organization clocks moving,
// organizations deleted, sweep steps — and checks after every step that
// the sweep released only what retention ended, kept the log in creation
// order, and left the indexes agreeing with the log.
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
	m.orgs = append(m.orgs, m.s.createOrg(fmt.Sprintf("%012d", 100000000000+m.n), featuresAll, m.now))
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
	orgs := m.live()
	if len(orgs) == 0 {
		t.Skip("no organization")
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
	// Every open invitation is still indexed (the duplicate check needs it).
	for _, h := range logged {
		if h.stateAt(m.now) == stateOpen {
			if got, ok := st.invites.get(inviteKeyOf(h)); !ok || got != h {
				t.Fatalf("open invitation %s is not in the invitation index", h.id)
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
			"newOrg":     m.newOrg,
			"invite":     m.invite,
			"close":      m.close,
			"advanceOrg": m.advanceOrg,
			"advanceAll": m.advanceAll,
			"deleteOrg":  m.deleteOrg,
			"sweep":      m.sweep,
			"":           m.check,
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
