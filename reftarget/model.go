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
	first      *organization                       // the first organization created, kept only where a planted fault joins every account to it
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
	migration  *handshake    // the ENABLE_ALL_FEATURES request of the latest EnableAllFeatures while retained, or nil
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

// handshake is one handshake. REQUESTED, OPEN, ACCEPTED, DECLINED and
// CANCELED are stored; EXPIRED is derived from the clock (see stateAt). Its
// Parties and Resources are rendered from its fields (see render.go), not
// stored: the target keeps a closed handshake for 30 days, so its size is
// what a long campaign pays.
//
// The all-features process is a family: EnableAllFeatures creates the
// ENABLE_ALL_FEATURES request (recipient and sender: the management
// account), REQUESTED, and one APPROVE_ALL_FEATURES child per invited member
// account, OPEN; the request becomes OPEN once every child is accepted. Both
// point to their family (see family), invitations to none.
type handshake struct {
	seq        int64
	id         string
	action     string
	orgID      string
	mgmt       string // the sending organization's management account
	recipient  string // the account addressed, "" for an email no account owns
	party      party  // the party addressed: INVITE's as requested (ACCOUNT or EMAIL), APPROVE_ALL_FEATURES's member ACCOUNT; none for ENABLE_ALL_FEATURES
	featureSet string // the sending organization's feature set when it was sent
	notes      string // the invitation's notes, "" for none
	requested  time.Time
	expires    time.Time
	state      string
	closed     time.Time // when the state became ACCEPTED, DECLINED or CANCELED
	family     *family   // the all-features handshakes' process, nil for INVITE
	clock      *orgClock // the sending organization's
}

// family is one all-features process: the ENABLE_ALL_FEATURES request and
// its APPROVE_ALL_FEATURES children, as long as the sweep retains them. A
// child closes no later than its request (the request expires with it,
// and a declined or canceled request cancels it), so it is released no
// later either; the sweep unlinks whatever it releases (see
// releaseFromFamily), so no pointer keeps a released handshake alive.
type family struct {
	requestID string       // the request's id, for the children's PARENT_HANDSHAKE resource
	request   *handshake   // nil once released
	children  []*handshake // retained children, in creation order
	asked     int          // how many member accounts were asked
	refused   []string     // accounts whose child was released without being ACCEPTED
}

// parent returns the request of an APPROVE_ALL_FEATURES handshake while it
// is retained, or nil.
func (h *handshake) parent() *handshake {
	if h.action != actionApprove || h.family == nil {
		return nil
	}
	return h.family.request
}

// children returns the retained children of an ENABLE_ALL_FEATURES request.
func (h *handshake) children() []*handshake {
	if h.action != actionEnable || h.family == nil {
		return nil
	}
	return h.family.children
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

// stateAt returns the handshake's state when the target clock reads now: a
// REQUESTED or OPEN handshake whose expiration time has passed on its
// organization's clock reads as EXPIRED.
func (h *handshake) stateAt(now time.Time) string {
	if live(h.state) && !h.clock.at(now).Before(h.expires) && !h.clock.hooks.neverExpires() {
		return stateExpired
	}
	return h.state
}

// closedAt returns when (in its organization's time) the handshake reached
// a final state, if it has.
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
	if closed && h.clock.hooks.expiredIsGone() && h.stateAt(now) == stateExpired {
		return true
	}
	return closed && !h.clock.at(now).Before(at.Add(retention))
}

// isParty reports whether account sent or received the handshake.
func (h *handshake) isParty(account string) bool {
	return account == h.mgmt || (h.recipient != "" && account == h.recipient)
}

// close moves a live handshake to a final state when the target clock reads
// now (stamped in its organization's time).
func (h *handshake) close(state string, now time.Time) {
	h.state, h.closed = state, h.clock.at(now)
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
