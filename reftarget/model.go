package reftarget

import (
	"time"
)

// Handshake states.
const (
	stateOpen     = "OPEN"
	stateAccepted = "ACCEPTED"
	stateDeclined = "DECLINED"
	stateCanceled = "CANCELED"
	stateExpired  = "EXPIRED"
)

// Handshake actions.
const (
	actionInvite  = "INVITE"
	actionEnable  = "ENABLE_ALL_FEATURES"
	actionApprove = "APPROVE_ALL_FEATURES"
)

// Organization feature sets.
const (
	featuresAll     = "ALL"
	featuresBilling = "CONSOLIDATED_BILLING"
)

// state is everything the target remembers. It is guarded by Server.mu.
//
// Times: the now a handler holds (call.now) is the target clock; what an
// organization stamps (requested, expires, closed, joined) is in its own
// time, orgClock.at(now), and handshake methods that take a now convert it
// with the handshake's clock.
//
// What retention ends is released by the sweep (see sweep.go).
type state struct {
	seq        int64 // orders handshakes and memberships for listing and paging
	orgs       map[string]*organization
	retired    shrinkingMap[string, *orgClock] // clocks of deleted organizations whose handshakes are retained
	members    map[string]*membership          // account id -> its organization
	handshakes shrinkingMap[string, *handshake]
	log        handshakeLog                        // every retained handshake, in creation order
	invites    shrinkingMap[inviteKey, *handshake] // latest INVITE per organization and target (see inviteKeyFor)
}

func newState() *state {
	return &state{
		orgs:       map[string]*organization{},
		retired:    newShrinkingMap[string, *orgClock](),
		members:    map[string]*membership{},
		handshakes: newShrinkingMap[string, *handshake](),
		invites:    newShrinkingMap[inviteKey, *handshake](),
	}
}

// next returns the next sequence number.
func (s *state) next() int64 {
	s.seq++
	return s.seq
}

// organization is one organization and its accounts.
type organization struct {
	id         string
	mgmt       string // management account id
	featureSet string
	accounts   []*membership // in join order; the management account first
	migration  *migration    // the latest EnableAllFeatures, or nil
	clock      *orgClock
}

// membership is an account's place in an organization.
type membership struct {
	seq     int64
	account string
	org     *organization
	joined  time.Time
	method  string // INVITED or CREATED
}

// migration is one EnableAllFeatures run: the ENABLE_ALL_FEATURES
// handshakes sent to the members and, once all accepted, the
// APPROVE_ALL_FEATURES handshake sent to the management account.
type migration struct {
	enable  []*handshake
	approve *handshake
}

// handshake is one handshake. Only OPEN, ACCEPTED, DECLINED and CANCELED are
// stored; EXPIRED is derived from the clock (see stateAt). Its Resources
// are rendered from its fields (see resources), not stored: the target keeps
// a closed handshake for 30 days, so its size is what a long campaign pays.
type handshake struct {
	seq        int64
	id         string
	action     string
	orgID      string
	mgmt       string // the sending organization's management account
	recipient  string // the account addressed, "" for an email no account owns
	party      party  // the recipient party as requested (ACCOUNT or EMAIL)
	featureSet string // the sending organization's feature set when it was sent
	notes      string // the invitation's notes, "" for none
	requested  time.Time
	expires    time.Time
	state      string
	closed     time.Time // when state left OPEN (ACCEPTED, DECLINED, CANCELED)
	migration  *migration
	clock      *orgClock // the sending organization's
}

// party is a handshake party.
type party struct {
	ID   string `json:"Id"`
	Type string `json:"Type"`
}

// resource is a handshake resource, possibly with nested resources.
type resource struct {
	Type      string     `json:"Type"`
	Value     string     `json:"Value"`
	Resources []resource `json:"Resources,omitempty"`
}

// stateAt returns the handshake's state when the target clock reads now:
// an OPEN handshake whose expiration time has passed on its organization's
// clock reads as EXPIRED.
func (h *handshake) stateAt(now time.Time) string {
	if h.state == stateOpen && !h.clock.at(now).Before(h.expires) {
		return stateExpired
	}
	return h.state
}

// closedAt returns when (in its organization's time) the handshake reached
// a final state, if it has.
func (h *handshake) closedAt(now time.Time) (time.Time, bool) {
	switch h.stateAt(now) {
	case stateOpen:
		return time.Time{}, false
	case stateExpired:
		return h.expires, true
	}
	return h.closed, true
}

// gone reports whether a closed handshake's retention period is over: it
// then no longer exists for any operation (Describe, List, Accept, ...).
func (h *handshake) gone(now time.Time, retention time.Duration) bool {
	at, closed := h.closedAt(now)
	return closed && !h.clock.at(now).Before(at.Add(retention))
}

// isParty reports whether account sent or received the handshake.
func (h *handshake) isParty(account string) bool {
	return account == h.mgmt || (h.recipient != "" && account == h.recipient)
}

// pending reports whether the migration is still under way at now: none of
// its handshakes was declined, canceled or expired, and the final approval
// was not accepted yet.
func (m *migration) pending(now time.Time) bool {
	if m == nil {
		return false
	}
	all := m.enable
	if m.approve != nil {
		if m.approve.stateAt(now) == stateAccepted {
			return false
		}
		all = append(all[:len(all):len(all)], m.approve)
	}
	for _, h := range all {
		if st := h.stateAt(now); st != stateOpen && st != stateAccepted {
			return false
		}
	}
	return true
}

// allEnabled reports whether every member accepted its ENABLE_ALL_FEATURES
// handshake.
func (m *migration) allEnabled(now time.Time) bool {
	for _, h := range m.enable {
		if h.stateAt(now) != stateAccepted {
			return false
		}
	}
	return true
}

// emailOf is the implicit email address of an account.
func emailOf(account string) string { return account + "@example.com" }

// nameOf is the implicit name of an account.
func nameOf(account string) string { return "Account " + account }

// Party types.
const (
	partyAccount = "ACCOUNT"
	partyEmail   = "EMAIL"
)

// internPartyType returns the package's copy of a party type, so that a
// stored handshake does not keep the request's copy alive.
func internPartyType(t string) string {
	switch t {
	case partyAccount:
		return partyAccount
	case partyEmail:
		return partyEmail
	}
	return t
}
