package reftarget

// acceptEffects are the consequences of accepting a handshake, by action.
// Each one either refuses (and changes nothing) or applies its change; the
// handshake itself becomes ACCEPTED afterwards. Accepting an
// APPROVE_ALL_FEATURES handshake has no effect of its own: settle opens the
// request once every member approved.
var acceptEffects = map[string]func(s *Server, h *handshake, c *call) *apiError{
	actionInvite: (*Server).joinOrganization,
	actionEnable: (*Server).finalizeAllFeatures,
}

// acceptEffect runs the effect of accepting h, if its action has one.
func (s *Server) acceptEffect(h *handshake, c *call) *apiError {
	if effect := s.effects[h.action]; effect != nil {
		return effect(s, h, c)
	}
	return nil
}

// joinOrganization adds the invited account to the sending organization.
// An account that belongs to an organization already (it accepted another
// invitation, or created its own) is refused with
// HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION.
func (s *Server) joinOrganization(h *handshake, c *call) *apiError {
	if m, in := s.st.members[c.account]; in {
		switch {
		case s.hooks != nil && s.hooks.masterCannotLeave && m.org.mgmt == c.account:
			return newError(errMasterCannotLeave, "Account %s manages organization %s and cannot leave it.", c.account, m.org.id)
		case s.hooks != nil && s.hooks.moveMember && m.org.mgmt != c.account:
			s.leave(m.org, c.account, c.now)
		default:
			return handshakeConstraint("ALREADY_IN_AN_ORGANIZATION",
				"Account %s is already a member of organization %s.", c.account, m.org.id)
		}
	}
	org, ok := s.st.orgs[h.orgID]
	if !ok {
		return newError(errInvalidTransition, "The organization %s that sent handshake %s no longer exists.", h.orgID, h.id)
	}
	if s.hooks != nil && s.hooks.joinFirstOrg && s.st.first != nil {
		org = s.st.first
	}
	s.join(org, c.account, "INVITED", c.now)
	return nil
}

// finalizeAllFeatures switches the organization to all features (the
// request is OPEN: every invited member approved).
func (s *Server) finalizeAllFeatures(h *handshake, c *call) *apiError {
	org, ok := s.st.orgs[h.orgID]
	if !ok {
		return newError(errInvalidTransition, "The organization %s that sent handshake %s no longer exists.", h.orgID, h.id)
	}
	org.featureSet = featuresAll
	return nil
}
