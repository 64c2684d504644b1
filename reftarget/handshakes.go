package reftarget

import (
	"slices"
	"time"
)

// handshakeIDInput is the input of Accept, Decline, Cancel and Describe.
type handshakeIDInput struct {
	HandshakeID string `json:"HandshakeId"`
}

// response is one of the three ways to answer a handshake.
type response struct {
	to      string                                           // the state it moves the handshake to
	from    []string                                         // the states it may move it from
	mayCall func(h *handshake, account string) bool          // who may call it
	effect  func(s *Server, h *handshake, c *call) *apiError // before the state changes (nil: none)
}

// recipientOnly: only the account the handshake is addressed to.
func recipientOnly(h *handshake, account string) bool {
	return h.recipient != "" && account == h.recipient
}

// senderOnly: only the sending organization's management account.
func senderOnly(h *handshake, account string) bool { return account == h.mgmt }

// The responses. Only an OPEN handshake can be accepted (a REQUESTED
// all-features request still waits for its members); a REQUESTED or OPEN
// one can be declined or canceled. Accepting has consequences that depend
// on the action (see acceptEffects); declining and canceling only change
// the state (and, for a request, its children's: see settle).
var (
	acceptResponse  = response{to: stateAccepted, from: []string{stateOpen}, mayCall: recipientOnly, effect: (*Server).acceptEffect}
	declineResponse = response{to: stateDeclined, from: []string{stateRequested, stateOpen}, mayCall: recipientOnly}
	cancelResponse  = response{to: stateCanceled, from: []string{stateRequested, stateOpen}, mayCall: senderOnly}
)

func (s *Server) acceptHandshake(c *call) (any, *apiError) {
	return s.respond(c, s.responses["AcceptHandshake"])
}
func (s *Server) declineHandshake(c *call) (any, *apiError) {
	return s.respond(c, s.responses["DeclineHandshake"])
}
func (s *Server) cancelHandshake(c *call) (any, *apiError) {
	return s.respond(c, s.responses["CancelHandshake"])
}

// respond applies r to the handshake named in the call. The checks, in
// order:
//
//  1. the handshake must exist, be within its retention period and the
//     caller must be a party (its sender or recipient); otherwise
//     HandshakeNotFoundException — a caller that is no party cannot learn
//     that the id exists;
//  2. the caller must be the party that may respond this way (recipient for
//     accept and decline, sender for cancel); otherwise
//     AccessDeniedException;
//  3. the handshake must be in a state r moves from: already in the target
//     state → HandshakeAlreadyInStateException, any other state (a final
//     one, EXPIRED included, or a REQUESTED request being accepted before
//     every member approved) → InvalidHandshakeTransitionException;
//  4. the response's effect (accepting an invitation joins the
//     organization, ...), which may refuse with its own error.
//
// The state never changes when an error is returned.
func (s *Server) respond(c *call, r response) (any, *apiError) {
	var in handshakeIDInput
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	h, e := s.visibleHandshake(in.HandshakeID, c)
	if e != nil {
		return nil, e
	}
	if !r.mayCall(h, c.account) {
		return nil, newError(errAccessDenied, "Account %s may not do this to handshake %s.", c.account, h.id)
	}
	if s.busy(h, c) {
		return nil, newError(errConcurrentModification, "Handshake %s is being changed by another request; try again.", h.id)
	}
	cur := h.stateAt(c.now)
	if s.hooks.judgesStored() {
		cur = h.state
	}
	cur = s.staleState(c.op, h, cur)
	refusal, noop := s.refusal(h, cur, r, c.now)
	if refusal != nil {
		return nil, refusal
	}
	if noop {
		return handshakeOutput{Handshake: h.render(c.now)}, nil
	}
	s.raceWindow(c, h)
	before := h.render(c.now)
	if r.effect != nil {
		if e := r.effect(s, h, c); e != nil {
			return nil, e
		}
	}
	s.noteChange(h, h.stateAt(c.now))
	h.close(r.to, c.now)
	s.settle(h, c.now)
	if r.to == stateCanceled && s.hooks.deletesCanceled() {
		h.closed = h.closed.Add(-s.retention) // past its retention at once
	}
	if s.hooks != nil && s.hooks.renderBefore && r.to == stateAccepted {
		return handshakeOutput{Handshake: before}, nil
	}
	return handshakeOutput{Handshake: h.render(c.now)}, nil
}

// refusal is the state check of response r for h in state cur: the
// refusal, or nil to proceed (noop: succeed without changing anything).
// Already in the requested state → HandshakeAlreadyInStateException;
// accepting a REQUESTED all-features request (members still to approve)
// or any other state r does not move from → InvalidHandshakeTransitionException.
func (s *Server) refusal(h *handshake, cur string, r response, now time.Time) (e *apiError, noop bool) {
	if s.hooks != nil && s.hooks.state != nil {
		return s.hooks.state(s, h, cur, r, now)
	}
	return s.stateRefusal(h, cur, r, now), false
}

// stateRefusal is the reference state check (see refusal).
func (s *Server) stateRefusal(h *handshake, cur string, r response, now time.Time) *apiError {
	switch {
	case cur == r.to:
		return newError(errAlreadyInState, "Handshake %s is already %s.", h.id, cur)
	case cur == stateRequested && r.to == stateAccepted && h.action != actionInvite:
		return newError(errInvalidTransition, "Handshake %s is REQUESTED: %d of the %d member accounts asked have not approved yet.",
			h.id, s.unapproved(h, now), h.family.asked)
	case !slices.Contains(r.from, cur):
		return newError(errInvalidTransition, "Handshake %s is %s and cannot become %s.", h.id, cur, r.to)
	}
	return nil
}

// visibleHandshake returns the handshake id if the caller is a party to it
// and it was not dropped after its retention period.
func (s *Server) visibleHandshake(id string, c *call) (*handshake, *apiError) {
	h, ok := s.st.handshakes.get(id)
	if ok && !h.gone(c.now, s.retention) && !h.isParty(c.account) && !s.hooks.anyone(c.op) && s.hooks != nil && s.hooks.nonPartyDenied {
		return nil, newError(errAccessDenied, "Account %s is no party to handshake %s.", c.account, id)
	}
	if !ok || h.gone(c.now, s.retention) || (!h.isParty(c.account) && !s.hooks.anyone(c.op)) {
		return nil, newError(errHandshakeNotFound, "We can't find a handshake with the HandshakeId %s.", id)
	}
	return h, nil
}

// describeHandshake answers DescribeHandshake for a party to the handshake.
func (s *Server) describeHandshake(c *call) (any, *apiError) {
	var in handshakeIDInput
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	h, e := s.visibleHandshake(in.HandshakeID, c)
	if e != nil {
		return nil, e
	}
	return handshakeOutput{Handshake: h.render(c.now)}, nil
}

// listHandshakesInput is the input of both ListHandshakesFor* operations.
type listHandshakesInput struct {
	pageInput
	Filter *struct {
		ActionType        *string `json:"ActionType"`
		ParentHandshakeID *string `json:"ParentHandshakeId"`
	} `json:"Filter"`
}

// listHandshakesForAccount lists the handshakes addressed to the caller.
func (s *Server) listHandshakesForAccount(c *call) (any, *apiError) {
	if s.hooks != nil && s.hooks.listAll {
		return s.listHandshakes(c, func(*handshake) bool { return true })
	}
	return s.listHandshakes(c, func(h *handshake) bool { return h.recipient == c.account })
}

// listHandshakesForOrganization lists the handshakes the caller's
// organization sent; only its management account may call it.
func (s *Server) listHandshakesForOrganization(c *call) (any, *apiError) {
	org, e := s.callersOrg(c)
	if e != nil {
		return nil, e
	}
	return s.listHandshakes(c, func(h *handshake) bool { return h.orgID == org.id })
}

// listHandshakes pages through the handshakes that match include and the
// request's filter, skipping those past their retention period.
func (s *Server) listHandshakes(c *call, include func(*handshake) bool) (any, *apiError) {
	var in listHandshakesInput
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	match := include
	if f := in.Filter; f != nil {
		if f.ActionType != nil && f.ParentHandshakeID != nil {
			return nil, invalidInput("MAX_LIMIT_EXCEEDED_FILTER", "Specify only one of Filter.ActionType and Filter.ParentHandshakeId.")
		}
		switch {
		case f.ActionType != nil:
			match = func(h *handshake) bool { return include(h) && h.action == *f.ActionType }
		case f.ParentHandshakeID != nil:
			match = func(h *handshake) bool {
				return include(h) && h.action == actionApprove && h.family != nil && h.family.requestID == *f.ParentHandshakeID
			}
		}
	}
	var all []*handshake
	for h := range s.st.log.all() {
		if match(h) && !h.gone(c.now, s.retention) {
			all = append(all, h)
		}
	}
	page, next, e := paginate(all, func(h *handshake) int64 { return h.seq }, in.pageInput)
	if e != nil {
		return nil, e
	}
	out := handshakesOutput{Handshakes: make([]handshakeJSON, 0, len(page)), NextToken: next}
	for _, h := range page {
		hj := h.render(c.now)
		if s.hooks.stale(c.op) {
			hj.State = s.initial[h.action]
		}
		out.Handshakes = append(out.Handshakes, hj)
	}
	return out, nil
}

// newHandshake records a new handshake from org to the recipient party p
// (none for an ENABLE_ALL_FEATURES request), with the invitation's notes
// ("" for none), in its action's initial state, expiring after its action's
// lifetime (specs), stamped in org's time.
func (s *Server) newHandshake(org *organization, action, recipient string, p party, notes string, now time.Time) *handshake {
	now = org.clock.at(now)
	p.Type = internPartyType(p.Type)
	h := &handshake{
		clock:      org.clock,
		seq:        s.st.next(),
		id:         s.uniqueHandshakeID(),
		action:     action,
		orgID:      org.id,
		mgmt:       org.mgmt,
		recipient:  recipient,
		party:      p,
		featureSet: org.featureSet,
		notes:      notes,
		requested:  now,
		expires:    now.Add(s.expiry[action]),
		state:      s.initial[action],
	}
	s.remember(h)
	return h
}

// uniqueHandshakeID returns a handshake id not used yet.
func (s *Server) uniqueHandshakeID() string {
	for {
		id := randomID("h-", s.handshakeIDLen)
		if _, taken := s.st.handshakes.get(id); !taken {
			return id
		}
	}
}
