package reftarget

import (
	"time"
)

// Handshake states.
const (
	stateRequested = "REQUESTED"
	stateOpen      = "OPEN"
	stateAccepted  = "ACCEPTED"
	stateDeclined  = "DECLINED"
	stateCanceled  = "CANCELED"
	stateExpired   = "EXPIRED"
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
type state struct {
	seq        int64 // orders handshakes and memberships for listing and paging
	orgs       map[string]*organization
	members    map[string]*membership // account id -> its organization
	handshakes map[string]*handshake
	order      []*handshake          // in creation order
	invites    map[string]*handshake // latest INVITE per organization and target (see inviteKey)
}

func newState() *state {
	return &state{
		orgs:       map[string]*organization{},
		members:    map[string]*membership{},
		handshakes: map[string]*handshake{},
		invites:    map[string]*handshake{},
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
	migration  *handshake    // the ENABLE_ALL_FEATURES request of the latest EnableAllFeatures, or nil
}

// membership is an account's place in an organization.
type membership struct {
	seq     int64
	account string
	org     *organization
	joined  time.Time
	method  string // INVITED or CREATED
}

// handshake is one handshake. REQUESTED, OPEN, ACCEPTED, DECLINED and
// CANCELED are stored; EXPIRED is derived from the clock (see stateAt).
//
// The all-features process is a family: EnableAllFeatures creates the
// ENABLE_ALL_FEATURES request (recipient and sender: the management
// account), REQUESTED, and one APPROVE_ALL_FEATURES child per invited member
// account, OPEN; the request becomes OPEN once every child is accepted.
type handshake struct {
	seq       int64
	id        string
	action    string
	orgID     string
	mgmt      string // the sending organization's management account
	recipient string // the account addressed, "" for an email no account owns
	parties   []party
	resources []resource
	requested time.Time
	expires   time.Time
	state     string
	closed    time.Time    // when the state became ACCEPTED, DECLINED or CANCELED
	parent    *handshake   // APPROVE_ALL_FEATURES: its ENABLE_ALL_FEATURES request
	children  []*handshake // ENABLE_ALL_FEATURES: the members' APPROVE_ALL_FEATURES handshakes
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

// live reports whether state still awaits a response.
func live(state string) bool { return state == stateRequested || state == stateOpen }

// stateAt returns the handshake's state at now: a REQUESTED or OPEN
// handshake whose expiration time has passed reads as EXPIRED.
func (h *handshake) stateAt(now time.Time) string {
	if live(h.state) && !now.Before(h.expires) {
		return stateExpired
	}
	return h.state
}

// closedAt returns when the handshake reached a final state, if it has.
func (h *handshake) closedAt(now time.Time) (time.Time, bool) {
	switch st := h.stateAt(now); {
	case live(st):
		return time.Time{}, false
	case st == stateExpired:
		return h.expires, true
	}
	return h.closed, true
}

// gone reports whether a closed handshake's retention period is over: it
// then no longer exists for any operation (Describe, List, Accept, ...).
func (h *handshake) gone(now time.Time, retention time.Duration) bool {
	at, closed := h.closedAt(now)
	return closed && !now.Before(at.Add(retention))
}

// isParty reports whether account sent or received the handshake.
func (h *handshake) isParty(account string) bool {
	return account == h.mgmt || (h.recipient != "" && account == h.recipient)
}

// close moves a live handshake to a final state at now.
func (h *handshake) close(state string, now time.Time) {
	h.state, h.closed = state, now
}

// pending reports whether the all-features request is still under way at
// now (REQUESTED or OPEN, not expired).
func (h *handshake) pending(now time.Time) bool {
	return h != nil && live(h.stateAt(now))
}

// emailOf is the implicit email address of an account.
func emailOf(account string) string { return account + "@example.com" }

// nameOf is the implicit name of an account.
func nameOf(account string) string { return "Account " + account }
