package reftarget

import (
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
	for _, h := range s.st.order {
		if h.orgID == org.id && h.action == actionInvite && live(h.stateAt(c.now)) {
			h.close(stateCanceled, c.now)
		}
	}
	orgParty := party{ID: orgPartyID(org.id), Type: "ORGANIZATION"}
	request := s.newHandshake(org, actionEnable, org.mgmt, []party{orgParty},
		[]resource{{Type: "ORGANIZATION", Value: org.id}}, stateRequested, c.now)
	org.migration = request
	for _, m := range org.accounts {
		if m.account == org.mgmt || m.method != "INVITED" {
			continue
		}
		child := s.newHandshake(org, actionApprove, m.account,
			[]party{orgParty, {ID: m.account, Type: "ACCOUNT"}},
			[]resource{
				{Type: "PARENT_HANDSHAKE", Value: parentValue(request.id)},
				{Type: "ORGANIZATION", Value: org.id},
				{Type: "ACCOUNT", Value: m.account},
			}, stateOpen, c.now)
		child.parent, child.expires = request, request.expires
		request.children = append(request.children, child)
	}
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
// to remove an account that declined implies).
func (s *Server) openWhenApproved(request *handshake, now time.Time) {
	if request == nil || request.stateAt(now) != stateRequested {
		return
	}
	for _, child := range request.children {
		if m, in := s.st.members[child.recipient]; !in || m.org.id != request.orgID {
			continue
		}
		if child.stateAt(now) != stateAccepted {
			return
		}
	}
	request.state = stateOpen
}

// settle applies the consequences of h's new state to its family: a
// declined or canceled request cancels its children that still await an
// answer; an accepted child may open its request.
func (s *Server) settle(h *handshake, now time.Time) {
	switch {
	case h.action == actionEnable && (h.state == stateCanceled || h.state == stateDeclined):
		for _, child := range h.children {
			if live(child.stateAt(now)) {
				child.close(stateCanceled, now)
			}
		}
	case h.parent != nil:
		s.openWhenApproved(h.parent, now)
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
	for _, child := range request.children {
		if child.recipient == account && live(child.stateAt(now)) {
			child.close(stateCanceled, now)
		}
	}
	s.openWhenApproved(request, now)
}
