package reftarget

// enableAllFeatures starts the all-features migration of the caller's
// organization: an ENABLE_ALL_FEATURES handshake to every member account
// and, once all of them accepted (at once when there are none), an
// APPROVE_ALL_FEATURES handshake to the management account, whose
// acceptance sets FeatureSet ALL. It returns the ENABLE_ALL_FEATURES
// handshake of the earliest-joined member, or the APPROVE_ALL_FEATURES
// handshake when the organization has no members.
//
// A declined, canceled or expired handshake of the migration ends it (the
// feature set stays CONSOLIDATED_BILLING and EnableAllFeatures may be
// called again).
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
	m := &migration{}
	org.migration = m
	for _, member := range org.accounts {
		if member.account == org.mgmt {
			continue
		}
		p := party{ID: member.account, Type: "ACCOUNT"}
		h := s.newHandshake(org, actionEnable, member.account, p, "", c.now)
		h.migration = m
		m.enable = append(m.enable, h)
	}
	if len(m.enable) == 0 {
		return handshakeOutput{Handshake: s.sendApproval(org, m, c).render(c.now)}, nil
	}
	return handshakeOutput{Handshake: m.enable[0].render(c.now)}, nil
}

// sendApproval sends the migration's APPROVE_ALL_FEATURES handshake to the
// management account.
func (s *Server) sendApproval(org *organization, m *migration, c *call) *handshake {
	p := party{ID: org.mgmt, Type: "ACCOUNT"}
	h := s.newHandshake(org, actionApprove, org.mgmt, p, "", c.now)
	h.migration = m
	m.approve = h
	return h
}
