package reftarget

import (
	"regexp"
	"strings"
)

// inviteInput is the input of InviteAccountToOrganization.
type inviteInput struct {
	Target struct {
		ID   string `json:"Id"`
		Type string `json:"Type"`
	} `json:"Target"`
	Notes *string `json:"Notes"`
	Tags  []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags"`
}

// emailRe is a syntactically valid email address (the model's Email pattern, anchored).
var emailRe = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

// implicitEmailRe is the email of an implicit account: <12 digits>@example.com.
var implicitEmailRe = regexp.MustCompile(`(?i)^(\d{12})@example\.com$`)

// recipientOf resolves an invitation target to the account it addresses
// ("" for an email that no implicit account owns), or refuses it.
func recipientOf(t party) (string, *apiError) {
	switch t.Type {
	case "ACCOUNT":
		if !accountIDRe.MatchString(t.ID) {
			return "", invalidInput("INVALID_PARTY_TYPE_TARGET", "Target.Id %q is not a 12-digit account id.", t.ID)
		}
		return t.ID, nil
	case "EMAIL":
		if !emailRe.MatchString(t.ID) {
			return "", invalidInput("INVALID_EMAIL_ADDRESS_TARGET", "Target.Id is not a valid email address.")
		}
		if m := implicitEmailRe.FindStringSubmatch(t.ID); m != nil {
			return m[1], nil
		}
		return "", nil
	}
	return "", invalidInput("INVALID_PARTY_TYPE_TARGET", "An invitation must target an ACCOUNT or an EMAIL, not %s.", t.Type)
}

// inviteAccount sends an INVITE handshake from the caller's organization.
// Refusals, in order: bad target (InvalidInputException), caller outside an
// organization or not its management account, an all-features migration
// under way (INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES), the account is
// already in this organization (ALREADY_IN_AN_ORGANIZATION; an account in
// another organization may be invited, and is refused when it accepts), and
// an open invitation to the same account or email
// (DuplicateHandshakeException).
func (s *Server) inviteAccount(c *call) (any, *apiError) {
	var in inviteInput
	if e := c.decode(&in); e != nil {
		return nil, e
	}
	target := party{ID: in.Target.ID, Type: in.Target.Type}
	recipient, e := recipientOf(target)
	if e != nil {
		return nil, e
	}
	org, e := s.callersOrg(c)
	if e != nil {
		return nil, e
	}
	if org.migration.pending(c.now) {
		return nil, handshakeConstraint("INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
			"Organization %s is enabling all features; invitations resume when that finishes.", org.id)
	}
	if m, ok := s.st.members[recipient]; ok && m.org == org {
		return nil, handshakeConstraint("ALREADY_IN_AN_ORGANIZATION", "Account %s is already a member of organization %s.", recipient, org.id)
	}
	key := inviteKeyFor(org.id, recipient, target)
	if h, ok := s.st.invites.get(key); ok && live(h.stateAt(c.now)) && !s.unseen(c.op, h) && (s.hooks == nil || !s.hooks.allowDuplicates) {
		return nil, newError(errDuplicateHandshake, "Handshake %s already invites %s.", h.id, target.ID)
	}
	notes := ""
	if in.Notes != nil {
		notes = *in.Notes
	}
	h := s.newHandshake(org, actionInvite, recipient, target, notes, c.now)
	s.noteChange(h, "")
	s.st.invites.put(key, h)
	return handshakeOutput{Handshake: h.render(c.now)}, nil
}

// inviteKey identifies an invitation's organization and target: the
// account it addresses, or for an email no account owns the lower-cased
// address (an address has an @, an account id never). Only the latest
// invitation per key can be OPEN, since a second one is refused while the
// first is open.
type inviteKey struct {
	org    string
	target string
}

// inviteKeyFor is the key of an invitation from organization orgID.
func inviteKeyFor(orgID, recipient string, target party) inviteKey {
	if recipient != "" {
		return inviteKey{orgID, recipient}
	}
	return inviteKey{orgID, strings.ToLower(target.ID)}
}

// inviteKeyOf is the key of invitation h.
func inviteKeyOf(h *handshake) inviteKey { return inviteKeyFor(h.orgID, h.recipient, h.party) }
