package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/orgconform/orgconform/endpoint"
)

// Principal roles minted by the scenarios. With a target file (live AWS),
// the same names select the configured principals.
const (
	roleManagement = "management"
	roleRecipient  = "recipient"
	roleMember     = "member"
	roleOutsider   = "outsider"
	roleOther      = "other-management"
)

// Roles returns the principal roles the scenarios ask for; a target file
// for a live target must give a principal for each.
func Roles() []string {
	return []string{roleManagement, roleRecipient, roleMember, roleOutsider, roleOther}
}

// call sends op with in as its JSON body through the raw signed path, as p.
// common lists the common-error categories the call accepts besides the
// operation's documented exceptions.
func (t *T) call(p endpoint.Principal, op string, in any, common ...string) *endpoint.Response {
	body := []byte("{}")
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Failf(nil, "a request body", "cannot encode %s input: %v", op, err)
		}
		body = b
	}
	return t.send(p, op, body, common...)
}

// send sends body verbatim as op's input, as p.
func (t *T) send(p endpoint.Principal, op string, body []byte, common ...string) *endpoint.Response {
	return t.retry(op, common, func() *endpoint.Response { return t.tgt.Raw(t.ctx, p, op, body) })
}

// retry makes one call of op. An operation that has timed out maxTimeouts
// times in the run is not called again: the check fails at once, so a
// target that hangs on one operation costs a few timeouts, not one per
// check. A throttled call (which took no effect) is tried again, attempts
// times in all with a short backoff; other answers, internal failures
// included, are final, since a call that failed inside the service may
// still have taken effect.
func (t *T) retry(op string, common []string, call func() *endpoint.Response) *endpoint.Response {
	var r *endpoint.Response
	for i := range attempts {
		if i > 0 {
			select {
			case <-t.ctx.Done():
				return r
			case <-time.After(time.Duration(i*i) * 250 * time.Millisecond):
			}
		}
		t.guard(op)
		r = t.counted(t.note(call(), common))
		t.tries[r] = i + 1
		if !throttled(r) {
			break
		}
	}
	return r
}

// attempts is how often retry tries a throttled call.
const attempts = 3

// guard fails the check at once when op has timed out too often.
func (t *T) guard(op string) {
	if n := t.run.timeouts(op, false); n >= maxTimeouts {
		t.Failf(nil, op+" answers within the timeout", "%s timed out %d times earlier in this run; not called again", op, n)
	}
}

// counted counts r against its operation's timeout budget.
func (t *T) counted(r *endpoint.Response) *endpoint.Response {
	if r.Kind == endpoint.KindTimeout && t.ctx.Err() == nil {
		t.run.timeouts(r.Op, true)
	}
	return r
}

// maxTimeouts is how often an operation may time out before the run stops
// calling it.
const maxTimeouts = 2

// org is an organization a scenario created.
type org struct {
	id      string
	mgmt    endpoint.Principal
	created *endpoint.Response // the CreateOrganization response
}

// newOrg creates an organization with featureSet, managed by a fresh
// account, and deletes it after the check.
func (t *T) newOrg(featureSet string) *org {
	mgmt := t.tgt.Mint(roleManagement)
	r := t.setup(t.call(mgmt, "CreateOrganization", map[string]string{"FeatureSet": featureSet}), "CreateOrganization")
	var out struct {
		Organization struct {
			Id string `json:"Id"`
		} `json:"Organization"`
	}
	t.decodeJSON(r, &out)
	o := &org{id: out.Organization.Id, mgmt: mgmt, created: r}
	t.Cleanup("delete organization "+o.id, func(ctx context.Context) error {
		return t.undo(ctx, mgmt, "DeleteOrganization", nil, "AWSOrganizationsNotInUseException")
	})
	return o
}

// invite invites recipient's account to o and cancels the invitation after
// the check if it is still open.
func (t *T) invite(o *org, recipient endpoint.Principal) handshake {
	return t.inviteTarget(o, map[string]string{"Type": "ACCOUNT", "Id": recipient.AccountID})
}

// inviteEmail invites the account with the given email address to o.
func (t *T) inviteEmail(o *org, email string) handshake {
	return t.inviteTarget(o, map[string]string{"Type": "EMAIL", "Id": email})
}

func (t *T) inviteTarget(o *org, party map[string]string) handshake {
	r := t.setup(t.call(o.mgmt, "InviteAccountToOrganization", map[string]any{"Target": party}), "InviteAccountToOrganization")
	h := t.handshakeOf(r)
	t.cancelLater(o.mgmt, h.Id)
	return h
}

// cancelLater cancels handshake id as sender after the check, unless it
// has reached a final state by then.
func (t *T) cancelLater(sender endpoint.Principal, id string) {
	t.Cleanup("cancel handshake "+id, func(ctx context.Context) error {
		return t.undo(ctx, sender, "CancelHandshake", map[string]string{"HandshakeId": id},
			"HandshakeAlreadyInStateException", "InvalidHandshakeTransitionException", "HandshakeNotFoundException")
	})
}

// join makes p a member of o: invitation, acceptance, and removal after the
// check.
func (t *T) join(o *org, p endpoint.Principal) handshake {
	h := t.invite(o, p)
	t.act(p, "AcceptHandshake", h.Id)
	t.leaveLater(o, p)
	return h
}

// leaveLater removes p from o after the check.
func (t *T) leaveLater(o *org, p endpoint.Principal) {
	t.Cleanup(fmt.Sprintf("remove account %s from %s", p.AccountID, o.id), func(ctx context.Context) error {
		return t.undo(ctx, o.mgmt, "RemoveAccountFromOrganization", map[string]string{"AccountId": p.AccountID},
			"AccountNotFoundException", "AWSOrganizationsNotInUseException")
	})
}

// act performs a handshake operation that the scenario needs to succeed.
func (t *T) act(p endpoint.Principal, op, id string) handshake {
	r := t.setup(t.call(p, op, map[string]string{"HandshakeId": id}), op+" "+id)
	return t.handshakeOf(r)
}

// describe returns handshake id as p sees it.
func (t *T) describe(p endpoint.Principal, id string) handshake {
	return t.act(p, "DescribeHandshake", id)
}

// undo is a cleanup call: success, or one of the tolerated error codes, is
// fine; anything else is reported as a cleanup failure.
func (t *T) undo(ctx context.Context, p endpoint.Principal, op string, in any, tolerated ...string) error {
	body := []byte("{}")
	if in != nil {
		body, _ = json.Marshal(in)
	}
	if n := t.run.timeouts(op, false); n >= maxTimeouts {
		return fmt.Errorf("%s not attempted: it timed out %d times earlier in this run", op, n)
	}
	r := t.tgt.Raw(ctx, p, op, body)
	if r.Kind == endpoint.KindTimeout {
		t.run.timeouts(op, true)
	}
	if r.OK() || (r.Kind == endpoint.KindError && slices.Contains(tolerated, r.Code)) {
		return nil
	}
	return fmt.Errorf("%s as %s: %s", op, p.AccountID, r.Summary())
}

// accountEmail finds the email address the target gives p's account: p
// joins a throwaway organization, whose ListAccounts shows it, then leaves.
func (t *T) accountEmail(p endpoint.Principal) string {
	o := t.newOrg("ALL")
	t.join(o, p)
	r := t.setup(t.call(o.mgmt, "ListAccounts", nil), "ListAccounts")
	var out struct {
		Accounts []struct{ Id, Email string }
	}
	t.decodeJSON(r, &out)
	for _, a := range out.Accounts {
		if a.Id == p.AccountID && a.Email != "" {
			t.setup(t.call(o.mgmt, "RemoveAccountFromOrganization", map[string]string{"AccountId": p.AccountID}), "RemoveAccountFromOrganization")
			return a.Email
		}
	}
	t.Failf(r, "ListAccounts shows the joined account with its Email", "account %s not listed with an email", p.AccountID)
	return ""
}

// requireClock skips the check unless the target offers clock control.
// The target is probed once per run.
func (t *T) requireClock() {
	if why := t.run.clockless(t.ctx); why != "" {
		t.Skipf("the target offers no clock control (%s), so expiry cannot be tested without waiting 15 days", why)
	}
}

// advance moves organization org's clock forward by d (never the
// target-wide clock, which other clients of a shared target depend on).
func (t *T) advance(org string, d time.Duration) {
	if err := t.tgt.AdvanceClock(t.ctx, org, d); err != nil {
		t.Failf(nil, "the clock control endpoint advances the clock", "%v", err)
	}
}

// expiry is how long after its request a handshake expires (reference).
func expiry() time.Duration {
	return time.Duration(contract.Lifecycle.ExpiresAfterSeconds) * time.Second
}

func orNone(err error) string {
	if err == nil {
		return "no /_orgconform/clock endpoint"
	}
	return oneLine300(err.Error())
}

// randomAlnum returns n random characters from [0-9a-z].
func randomAlnum(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}
