package reftarget

import (
	"strings"
	"time"
)

// handshakeJSON is the wire form of a Handshake.
type handshakeJSON struct {
	ID                  string       `json:"Id"`
	Arn                 string       `json:"Arn"`
	Parties             []party      `json:"Parties"`
	State               string       `json:"State"`
	RequestedTimestamp  epochSeconds `json:"RequestedTimestamp"`
	ExpirationTimestamp epochSeconds `json:"ExpirationTimestamp"`
	Action              string       `json:"Action"`
	Resources           []resource   `json:"Resources"`
}

// handshakeOutput is the output of the operations that return one handshake.
type handshakeOutput struct {
	Handshake handshakeJSON `json:"Handshake"`
}

// handshakesOutput is the output of the ListHandshakesFor* operations.
type handshakesOutput struct {
	Handshakes []handshakeJSON `json:"Handshakes"`
	NextToken  string          `json:"NextToken,omitempty"`
}

// render returns the wire form of h at now.
func (h *handshake) render(now time.Time) handshakeJSON {
	return handshakeJSON{
		ID:                  h.id,
		Arn:                 "arn:aws:organizations::" + h.mgmt + ":handshake/" + h.orgID + "/" + strings.ToLower(h.action) + "/" + h.id,
		Parties:             h.parties(),
		State:               h.stateAt(now),
		RequestedTimestamp:  epochSeconds(h.requested),
		ExpirationTimestamp: epochSeconds(h.expires),
		Action:              h.action,
		Resources:           h.resources(),
	}
}

// organizationJSON is the wire form of an Organization.
type organizationJSON struct {
	ID                   string       `json:"Id"`
	Arn                  string       `json:"Arn"`
	FeatureSet           string       `json:"FeatureSet"`
	MasterAccountArn     string       `json:"MasterAccountArn"`
	MasterAccountID      string       `json:"MasterAccountId"`
	MasterAccountEmail   string       `json:"MasterAccountEmail"`
	AvailablePolicyTypes []policyType `json:"AvailablePolicyTypes"`
}

// policyType is one entry of AvailablePolicyTypes.
type policyType struct {
	Type   string `json:"Type"`
	Status string `json:"Status"`
}

// organizationOutput is the output of CreateOrganization and DescribeOrganization.
type organizationOutput struct {
	Organization organizationJSON `json:"Organization"`
}

// render returns the wire form of o.
func (o *organization) render() organizationJSON {
	policies := []policyType{}
	if o.featureSet == featuresAll {
		policies = append(policies, policyType{Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED"})
	}
	return organizationJSON{
		ID:                   o.id,
		Arn:                  "arn:aws:organizations::" + o.mgmt + ":organization/" + o.id,
		FeatureSet:           o.featureSet,
		MasterAccountArn:     o.accountArn(o.mgmt),
		MasterAccountID:      o.mgmt,
		MasterAccountEmail:   emailOf(o.mgmt),
		AvailablePolicyTypes: policies,
	}
}

// accountArn is the ARN of account within o.
func (o *organization) accountArn(account string) string {
	return "arn:aws:organizations::" + o.mgmt + ":account/" + o.id + "/" + account
}

// accountJSON is the wire form of an Account.
type accountJSON struct {
	ID              string       `json:"Id"`
	Arn             string       `json:"Arn"`
	Email           string       `json:"Email"`
	Name            string       `json:"Name"`
	Status          string       `json:"Status"`
	State           string       `json:"State"`
	JoinedMethod    string       `json:"JoinedMethod"`
	JoinedTimestamp epochSeconds `json:"JoinedTimestamp"`
}

// accountsOutput is the output of ListAccounts.
type accountsOutput struct {
	Accounts  []accountJSON `json:"Accounts"`
	NextToken string        `json:"NextToken,omitempty"`
}

// render returns the wire form of m.
func (m *membership) render() accountJSON {
	return accountJSON{
		ID:              m.account,
		Arn:             m.org.accountArn(m.account),
		Email:           emailOf(m.account),
		Name:            nameOf(m.account),
		Status:          "ACTIVE",
		State:           "ACTIVE",
		JoinedMethod:    m.method,
		JoinedTimestamp: epochSeconds(m.joined),
	}
}

// handshakeForm is how a handshake of one action renders its Parties and
// Resources from its fields.
type handshakeForm struct {
	orgPartyID func(orgID string) string     // the ORGANIZATION party's Id
	resources  func(h *handshake) []resource // its Resources
}

// handshakeForms gives the form of every action: an invitation names the
// organization by its id and carries its details; the all-features
// handshakes name it without "o-", as the User Guide's transcripts show.
var handshakeForms = map[string]handshakeForm{
	actionInvite:  {orgPartyID: func(id string) string { return id }, resources: (*handshake).invitationResources},
	actionEnable:  {orgPartyID: orgPartyID, resources: (*handshake).requestResources},
	actionApprove: {orgPartyID: orgPartyID, resources: (*handshake).approvalResources},
}

// parties returns h's Parties: the sending ORGANIZATION, then the party
// addressed if h has one (an ENABLE_ALL_FEATURES request has none).
func (h *handshake) parties() []party {
	ps := []party{{ID: handshakeForms[h.action].orgPartyID(h.orgID), Type: "ORGANIZATION"}}
	if h.party.Type != "" {
		ps = append(ps, h.party)
	}
	return ps
}

// resources returns h's Resources.
func (h *handshake) resources() []resource { return handshakeForms[h.action].resources(h) }

// invitationResources are an invitation's Resources: the sending
// ORGANIZATION (with its management account's email and name and its
// feature set when h was sent), the party addressed (ACCOUNT or EMAIL), and
// NOTES when the invitation has them.
func (h *handshake) invitationResources() []resource {
	res := []resource{
		{Type: "ORGANIZATION", Value: h.orgID, Resources: []resource{
			{Type: "MASTER_EMAIL", Value: emailOf(h.mgmt)},
			{Type: "MASTER_NAME", Value: nameOf(h.mgmt)},
			{Type: "ORGANIZATION_FEATURE_SET", Value: h.featureSet},
		}},
		{Type: h.party.Type, Value: h.party.ID},
	}
	if h.notes != "" {
		res = append(res, resource{Type: "NOTES", Value: h.notes})
	}
	return res
}

// requestResources are an ENABLE_ALL_FEATURES request's Resources: its
// ORGANIZATION.
func (h *handshake) requestResources() []resource {
	return []resource{{Type: "ORGANIZATION", Value: h.orgID}}
}

// approvalResources are a member's APPROVE_ALL_FEATURES Resources: the
// PARENT_HANDSHAKE (the request's id without "h-"), the ORGANIZATION and
// the member's ACCOUNT.
func (h *handshake) approvalResources() []resource {
	parent := ""
	if h.family != nil {
		parent = parentValue(h.family.requestID)
	}
	return []resource{
		{Type: "PARENT_HANDSHAKE", Value: parent},
		{Type: "ORGANIZATION", Value: h.orgID},
		{Type: "ACCOUNT", Value: h.recipient},
	}
}
