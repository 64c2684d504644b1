package contract

import (
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
)

// timeChecks are the time rules beyond expiry (which the EXPIRED rows of
// the transition table cover): how long a closed handshake is kept. They
// need the target's clock control and are skipped without it.
func timeChecks() []check.Check {
	return []check.Check{{
		ID: "time/retention", Group: "time", Operation: "ListHandshakesForAccount",
		Needs: check.Needs{Ops: []string{"InviteAccountToOrganization", "AcceptHandshake", "ListHandshakesForAccount"},
			Principals: need{fixture.Management: 1, fixture.Recipient: 1}, Invitations: 1},
		Run: retention,
	}}
}

// retentionSource cites how long closed handshakes are kept.
const retentionSource = "model (ListHandshakesForAccount): ACCEPTED, DECLINED, CANCELED and EXPIRED handshakes appear in the results for only 30 days after changing to that state; after that they're deleted and no longer accessible"

// retention accepts an invitation, then moves the organization's clock:
// 29 days later the recipient still lists it ACCEPTED; 31 days later it is
// gone from the list, and DescribeHandshake no longer finds it.
func retention(t *check.T) {
	fixture.RequireClock(t, "the 30 days a closed handshake is kept cannot be waited out")
	t.Source(retentionSource)
	o := fixture.Organization(t, fixture.AllFeatures)
	rec := t.Principal(fixture.Recipient)
	h := fixture.Join(t, o, rec)
	kept := spec.Lifecycle.RetainedFor()
	fixture.Advance(t, o, kept-24*time.Hour)
	x, r, found := fixture.Find(t, rec, "ListHandshakesForAccount", h.Id, nil)
	t.Require(r, "ListHandshakesForAccount")
	switch {
	case !found:
		t.Failf(r, "ListHandshakesForAccount still lists the accepted handshake "+h.Id+" a day before its 30 days end", "not listed on any page")
	case x.State != "ACCEPTED":
		t.Failf(r, "the handshake listed ACCEPTED", "listed %s", x.State)
	}
	fixture.Advance(t, o, 2*24*time.Hour)
	x, r, found = fixture.Find(t, rec, "ListHandshakesForAccount", h.Id, nil)
	t.Require(r, "ListHandshakesForAccount")
	if found {
		t.Failf(r, "ListHandshakesForAccount no longer lists handshake "+h.Id+" a day after its 30 days end", "listed %s", x.State)
	}
	if t.Session().Caps().Of("DescribeHandshake").Status == check.NotImplemented {
		return
	}
	d := t.Call(rec, "DescribeHandshake", map[string]string{"HandshakeId": h.Id})
	e := oracle.Errors("HandshakeNotFoundException").Because("the handshake was deleted after its 30 days")
	e.Source = retentionSource
	t.Expect(d, e)
}
