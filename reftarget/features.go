package reftarget

import (
	"slices"
	"strings"
	"time"
)

// enableAllFeatures starts the all-features process of the caller's
// organization, as the User Guide's transcripts show it:
//
//   - the ENABLE_ALL_FEATURES request, which it returns: sent and received
//     by the management account, its only party the ORGANIZATION, REQUESTED
//     (OPEN at once when there is no invited member account to wait for);
//   - one APPROVE_ALL_FEATURES handshake per invited member account (created
//     accounts get none), OPEN, with a PARENT_HANDSHAKE resource naming the
//     request, expiring with it.
//
// Invitations still open when the process starts are canceled; new ones are
// refused until it ends (INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES).
func (s *Server) enableAllFeatures(c *call) (any, *apiError) {
	org, e := s.managedOrg(c)
	if e != nil {
		return nil, e
	}
	if org.featureSet == featuresAll {
		return nil, handshakeConstraint("ORGANIZATION_ALREADY_HAS_ALL_FEATURES", "Organization %s already has all features.", org.id)
	}
	if org.migration.pending(c.now) {
		return nil, handshakeConstraint("ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
			"Organization %s is already enabling all features.", org.id)
	}
	for _, h := range org.clock.sent {
		if h.action == actionInvite && live(h.stateAt(c.now)) {
			h.close(stateCanceled, c.now)
		}
	}
	request := s.newHandshake(org, actionEnable, org.mgmt, party{}, "", c.now)
	fam := &family{requestID: request.id, request: request}
	request.family = fam
	org.migration = request
	for _, m := range org.accounts {
		if m.account == org.mgmt || m.method != "INVITED" {
			continue
		}
		child := s.newHandshake(org, actionApprove, m.account, party{ID: m.account, Type: partyAccount}, "", c.now)
		child.family, child.expires = fam, request.expires
		fam.children = append(fam.children, child)
	}
	fam.asked = len(fam.children)
	s.openWhenApproved(request, c.now)
	return handshakeOutput{Handshake: request.render(c.now)}, nil
}

// orgPartyID is the ORGANIZATION party Id of the all-features handshakes:
// the organization id without its "o-" prefix, as the guide's transcripts
// show it (specs/shapes.json idForms).
func orgPartyID(orgID string) string { return strings.TrimPrefix(orgID, "o-") }

// parentValue is the PARENT_HANDSHAKE resource value naming a request: its
// id without the "h-" prefix, as the guide's transcript shows it.
func parentValue(id string) string { return strings.TrimPrefix(id, "h-") }

// openWhenApproved makes a REQUESTED all-features request OPEN once every
// child of an account still in the organization is ACCEPTED (children of
// accounts that left or were removed no longer count, as the guide's advice
// to remove an account that declined implies). A child the sweep released
// counts as it ended: approved if ACCEPTED, otherwise in family.refused.
func (s *Server) openWhenApproved(request *handshake, now time.Time) {
	if request == nil || request.stateAt(now) != stateRequested {
		return
	}
	fam := request.family
	for _, child := range fam.children {
		if s.isMemberOf(child.recipient, request.orgID) && child.stateAt(now) != stateAccepted {
			return
		}
	}
	for _, account := range fam.refused {
		if s.isMemberOf(account, request.orgID) {
			return
		}
	}
	request.state = stateOpen
}

// isMemberOf reports whether account belongs to organization orgID.
func (s *Server) isMemberOf(account, orgID string) bool {
	m, in := s.st.members[account]
	return in && m.org.id == orgID
}

// unapproved counts the member accounts request asked that have not
// approved (ACCEPTED) it.
func (s *Server) unapproved(request *handshake, now time.Time) int {
	n := len(request.family.refused)
	for _, child := range request.children() {
		if child.stateAt(now) != stateAccepted {
			n++
		}
	}
	return n
}

// settle applies the consequences of h's new state to its family: a
// declined or canceled request cancels its children that still await an
// answer; an accepted child may open its request.
func (s *Server) settle(h *handshake, now time.Time) {
	switch {
	case h.action == actionEnable && (h.state == stateCanceled || h.state == stateDeclined):
		for _, child := range h.children() {
			if live(child.stateAt(now)) {
				child.close(stateCanceled, now)
			}
		}
	case h.parent() != nil:
		s.openWhenApproved(h.parent(), now)
	}
}

// memberLeft cancels the unanswered APPROVE_ALL_FEATURES handshake of an
// account that left org or was removed, and lets the request open if every
// remaining member approved.
func (s *Server) memberLeft(org *organization, account string, now time.Time) {
	request := org.migration
	if !request.pending(now) {
		return
	}
	for _, child := range request.children() {
		if child.recipient == account && live(child.stateAt(now)) {
			child.close(stateCanceled, now)
		}
	}
	s.openWhenApproved(request, now)
}

// releaseFromFamily unlinks h, which the sweep releases, from its family:
// a child leaves its request's list (recorded in refused unless it was
// ACCEPTED, so that the request still waits for that account), a request
// leaves its organization and its children. Nothing retained then points
// to h.
func (s *Server) releaseFromFamily(h *handshake) {
	fam := h.family
	if fam == nil {
		return
	}
	h.family = nil
	switch h.action {
	case actionApprove:
		fam.children = slices.DeleteFunc(fam.children, func(x *handshake) bool { return x == h })
		if fam.request != nil && h.state != stateAccepted {
			fam.refused = append(fam.refused, h.recipient)
		}
	case actionEnable:
		fam.request = nil
		if org, ok := s.st.orgs[h.orgID]; ok && org.migration == h {
			org.migration = nil
		}
	}
}
