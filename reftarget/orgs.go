package reftarget

import (
	"slices"
	"time"
)

// memberOrg returns the caller's organization, or
// AWSOrganizationsNotInUseException when the caller belongs to none.
func (s *Server) memberOrg(c *call) (*organization, *apiError) {
	m, ok := s.st.members[c.account]
	if !ok {
		return nil, newError(errNotInUse, "Account %s is not a member of an organization.", c.account)
	}
	return m.org, nil
}

// managedOrg returns the organization the caller manages:
// AWSOrganizationsNotInUseException outside any organization,
// AccessDeniedException for a member account.
func (s *Server) managedOrg(c *call) (*organization, *apiError) {
	org, e := s.memberOrg(c)
	if e != nil {
		return nil, e
	}
	if org.mgmt != c.account {
		return nil, newError(errAccessDenied, "Only the management account %s of organization %s may do this.", org.mgmt, org.id)
	}
	return org, nil
}

// callersOrg is managedOrg for the operation being called, or memberOrg
// where a planted fault lets any member call it.
func (s *Server) callersOrg(c *call) (*organization, *apiError) {
	if s.hooks.member(c.op) {
		return s.memberOrg(c)
	}
	return s.managedOrg(c)
}

// join makes account a member of org.
func (s *Server) join(org *organization, account, method string, now time.Time) {
	m := &membership{seq: s.st.next(), account: account, org: org, joined: org.clock.at(now), method: method}
	org.accounts = append(org.accounts, m)
	s.st.members[account] = m
}

// leave removes account from its organization at now; an all-features
// request under way no longer waits for it (see memberLeft).
func (s *Server) leave(org *organization, account string, now time.Time) {
	delete(s.st.members, account)
	org.accounts = slices.DeleteFunc(org.accounts, func(m *membership) bool { return m.account == account })
	s.memberLeft(org, account, now)
}

// createOrganizationInput is the input of CreateOrganization.
type createOrganizationInput struct {
	FeatureSet *string `json:"FeatureSet"`
}

// createOrganization makes the caller the management account of a new
// organization (FeatureSet ALL unless CONSOLIDATED_BILLING is asked for).
func (s *Server) createOrganization(c *call) (any, *apiError) {
	var in createOrganizationInput
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	if m, in := s.st.members[c.account]; in {
		return nil, newError(errAlreadyInOrganization, "Account %s is already a member of organization %s.", c.account, m.org.id)
	}
	featureSet := featuresAll
	if in.FeatureSet != nil && *in.FeatureSet == featuresBilling {
		featureSet = featuresBilling // validated against the enum: ALL or CONSOLIDATED_BILLING
	}
	return organizationOutput{Organization: s.createOrg(c.account, featureSet, c.now).render()}, nil
}

// createOrg makes account the management account of a new organization.
func (s *Server) createOrg(account, featureSet string, now time.Time) *organization {
	id := s.uniqueOrgID()
	org := &organization{id: id, mgmt: account, featureSet: featureSet, clock: &orgClock{id: id, hooks: s.hooks}}
	s.st.orgs[org.id] = org
	if s.st.first == nil && s.hooks != nil && s.hooks.joinFirstOrg {
		s.st.first = org // kept by a planted fault only
	}
	s.join(org, account, "CREATED", now)
	return org
}

// uniqueOrgID returns an organization id not used yet.
func (s *Server) uniqueOrgID() string {
	for {
		id := randomID("o-", s.orgIDLen)
		if _, taken := s.clockOf(id); !taken {
			return id
		}
	}
}

// describeOrganization describes the caller's organization.
func (s *Server) describeOrganization(c *call) (any, *apiError) {
	org, e := s.memberOrg(c)
	if e != nil {
		return nil, e
	}
	return organizationOutput{Organization: org.render()}, nil
}

// listAccounts lists the accounts of the caller's organization (management
// account only).
func (s *Server) listAccounts(c *call) (any, *apiError) {
	var in pageInput
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	org, e := s.callersOrg(c)
	if e != nil {
		return nil, e
	}
	page, next, e := paginate(org.accounts, func(m *membership) int64 { return m.seq }, in)
	if e != nil {
		return nil, e
	}
	out := accountsOutput{Accounts: make([]accountJSON, 0, len(page)), NextToken: next}
	for _, m := range page {
		out.Accounts = append(out.Accounts, m.render())
		if s.hooks != nil && s.hooks.duplicateAccounts && m.method == "INVITED" {
			out.Accounts = append(out.Accounts, m.render())
		}
	}
	return out, nil
}

// removeAccountInput is the input of RemoveAccountFromOrganization.
type removeAccountInput struct {
	AccountID string `json:"AccountId"`
}

// removeAccount removes a member account (management account only). The
// management account itself cannot be removed (ConstraintViolationException
// ACCOUNT_CANNOT_LEAVE_ORGANIZATION); an account outside the organization is
// AccountNotFoundException.
func (s *Server) removeAccount(c *call) (any, *apiError) {
	var in removeAccountInput
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	org, e := s.managedOrg(c)
	if e != nil {
		return nil, e
	}
	if in.AccountID == org.mgmt {
		return nil, newError(errConstraintViolation, "The management account cannot be removed from its organization.").
			withReason("ACCOUNT_CANNOT_LEAVE_ORGANIZATION")
	}
	if m, ok := s.st.members[in.AccountID]; !ok || m.org != org {
		return nil, newError(errAccountNotFound, "Account %s is not in organization %s.", in.AccountID, org.id)
	}
	s.leave(org, in.AccountID, c.now)
	return struct{}{}, nil
}

// leaveOrganization removes the calling member account from its
// organization; the management account gets
// MasterCannotLeaveOrganizationException.
func (s *Server) leaveOrganization(c *call) (any, *apiError) {
	org, e := s.memberOrg(c)
	if e != nil {
		return nil, e
	}
	if org.mgmt == c.account {
		return nil, newError(errMasterCannotLeave, "The management account cannot leave its organization; delete the organization instead.")
	}
	s.leave(org, c.account, c.now)
	return struct{}{}, nil
}

// deleteOrganization deletes the caller's organization, which must have no
// member accounts left (OrganizationNotEmptyException). Its REQUESTED and
// OPEN handshakes become CANCELED.
func (s *Server) deleteOrganization(c *call) (any, *apiError) {
	org, e := s.managedOrg(c)
	if e != nil {
		return nil, e
	}
	if len(org.accounts) > 1 {
		return nil, newError(errOrganizationNotEmpty, "Organization %s still has %d member accounts.", org.id, len(org.accounts)-1)
	}
	for _, h := range org.clock.sent {
		if live(h.stateAt(c.now)) {
			h.close(stateCanceled, c.now)
		}
	}
	s.leave(org, org.mgmt, c.now)
	delete(s.st.orgs, org.id)
	s.retire(org.clock)
	return struct{}{}, nil
}
