package fuzz

import (
	"context"
	"fmt"

	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/inputgen"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/specs"
)

// Group is the check group of the generated properties.
const Group = "property"

// Checks returns the generated properties as checks, in run order:
// property/input/<Op> for every operation in scope (requests generated
// from schemas/), property/lifecycle (the stateful model of the whole
// handshake API and every role) and property/linearizable (concurrent
// calls checked for linearizability). Each runs as many examples as
// check.ConfigureRapid says, respects the capabilities the run found
// (Needs.Ops), and mints its principals per example.
func Checks() []check.Check {
	var out []check.Check
	ops, err := inputgen.Operations()
	if err != nil {
		return []check.Check{{ID: "property/input", Group: Group, Run: func(t *check.T) {
			t.Failf(nil, "the request generators load", "%v", err)
		}}}
	}
	for _, op := range ops {
		out = append(out, check.Check{
			ID: "property/input/" + op, Group: Group, Operation: op, Early: true,
			Needs: check.Needs{Ops: []string{op}, Principals: fixture.Need{fixture.Outsider: 1}},
			Run:   func(t *check.T) { inputCheck(t, op) },
		})
	}
	return append(out,
		check.Check{
			ID: "property/lifecycle", Group: Group, Early: true,
			Needs: check.Needs{Ops: []string{"InviteAccountToOrganization", "AcceptHandshake"}, Principals: lifecycleNeeds, Invitations: propertyInvitations},
			Run:   lifecycle,
		},
		check.Check{
			ID: "property/linearizable", Group: Group, Early: true,
			Needs: check.Needs{Ops: []string{"InviteAccountToOrganization", "AcceptHandshake", "CancelHandshake"}, Principals: linearNeeds, Invitations: propertyInvitations},
			Run:   linearizable,
		},
	)
}

// propertyInvitations is what the stateful properties declare they may
// send: more than live AWS's daily 20, so that a live run leaves them out.
const propertyInvitations = 1000

// inputCheck runs the generated-input property of op as an account in no
// organization.
func inputCheck(t *check.T, op string) {
	p := t.Principal(fixture.Outsider)
	if f, _ := t.Session().Caps().Flag(check.FlagImplicitOrganizations); f.On {
		// A valid read as an account in no organization makes one here.
		t.Cleanup("delete the implicit organization of "+p.AccountID, func(ctx context.Context) error {
			return t.Undo(ctx, p, "DeleteOrganization", []byte("{}"), "AWSOrganizationsNotInUseException")
		})
	}
	t.Property(func(rt *rapid.T, rec *check.Recorder) {
		rec.Define("OUTSIDER_1", p.AccountID)
		inputSends(t.Context(), t.Target(), p, op, func(what string, body []byte) *endpoint.Response {
			r := t.Send(p, op, body, acceptedCommon...)
			rec.Step(what, r, curlLine("OUTSIDER_1", op, body))
			t.NoAnswer(r) // a verdict, not a failing example to shrink
			return r
		})(rt)
	})
}

// curlLine replays a request body byte for byte, signed as the principal
// in the shell variable principal: curl's SigV4, since the aws CLI
// validates parameters before sending and would refuse the broken bodies
// the input property sends.
func curlLine(principal, op string, body []byte) string {
	svc := specs.Must().Service
	return fmt.Sprintf(`curl -s --aws-sigv4 "aws:amz:$AWS_DEFAULT_REGION:%s" --user "$%s:$AWS_SECRET_ACCESS_KEY" -H 'X-Amz-Target: %s.%s' -H 'Content-Type: %s' --data-binary %s "$ENDPOINT"`,
		svc.SigningName, principal, svc.TargetPrefix, op, svc.ContentType, text.ShellQuote(string(body)))
}
