package reftarget_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconform/orgconform/oracle"
	"github.com/orgconform/orgconform/specs"
)

// scene is a fresh target with one handshake under test and an account for
// each caller role of the transition table.
type scene struct {
	*target
	id     string            // the handshake under test
	roles  map[string]string // role -> account
	open   func()            // brings a REQUESTED handshake to OPEN (nil: it starts OPEN)
	expiry time.Duration     // how long after its request it expires
}

// scenes build, per action, a fresh handshake and the role accounts: an
// OPEN invitation; the REQUESTED ENABLE_ALL_FEATURES request of an
// organization with one invited member (OPEN once that member approves); an
// invited member's OPEN APPROVE_ALL_FEATURES handshake.
var scenes = map[string]func(tg *target) scene{
	"INVITE": func(tg *target) scene {
		tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll)
		tg.join(mgmtAcct, memberAcct)
		h := tg.invite(mgmtAcct, recipientAcct)
		return scene{target: tg, id: aws.ToString(h.Id), expiry: 15 * day, roles: map[string]string{
			specs.RoleRecipient: recipientAcct, specs.RoleSender: mgmtAcct,
			specs.RoleMember: memberAcct, specs.RoleOutsider: outsiderAcct,
		}}
	},
	"ENABLE_ALL_FEATURES": func(tg *target) scene {
		tg.createOrg(mgmtAcct, types.OrganizationFeatureSetConsolidatedBilling)
		tg.join(mgmtAcct, memberAcct)
		request := tg.enableAllFeatures(mgmtAcct)
		// The management account is both sender and recipient; rows for
		// a distinct sender are unreachable (reachable=false in specs).
		return scene{target: tg, id: aws.ToString(request.Id), expiry: 90 * day,
			roles: map[string]string{
				specs.RoleRecipient: mgmtAcct, specs.RoleSender: mgmtAcct,
				specs.RoleMember: memberAcct, specs.RoleOutsider: outsiderAcct,
			},
			open: func() {
				approvals := tg.received(memberAcct, types.ActionTypeApproveAllFeatures)
				if len(approvals) != 1 {
					tg.t.Fatalf("member received %d APPROVE_ALL_FEATURES handshakes, want 1", len(approvals))
				}
				tg.accept(memberAcct, aws.ToString(approvals[0].Id))
			},
		}
	},
	"APPROVE_ALL_FEATURES": func(tg *target) scene {
		tg.createOrg(mgmtAcct, types.OrganizationFeatureSetConsolidatedBilling)
		tg.join(mgmtAcct, recipientAcct)
		tg.join(mgmtAcct, memberAcct)
		tg.enableAllFeatures(mgmtAcct)
		hs := tg.received(recipientAcct, types.ActionTypeApproveAllFeatures)
		if len(hs) != 1 {
			tg.t.Fatalf("recipient received %d APPROVE_ALL_FEATURES handshakes, want 1", len(hs))
		}
		return scene{target: tg, id: aws.ToString(hs[0].Id), expiry: 90 * day, roles: map[string]string{
			specs.RoleRecipient: recipientAcct, specs.RoleSender: mgmtAcct,
			specs.RoleMember: memberAcct, specs.RoleOutsider: outsiderAcct,
		}}
	},
}

// responders call one handshake operation as account.
var responders = map[string]func(c *organizations.Client, tg *target, id string) (*types.Handshake, error){
	"AcceptHandshake": func(c *organizations.Client, tg *target, id string) (*types.Handshake, error) {
		out, err := c.AcceptHandshake(ctx(tg.t), &organizations.AcceptHandshakeInput{HandshakeId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		return out.Handshake, nil
	},
	"DeclineHandshake": func(c *organizations.Client, tg *target, id string) (*types.Handshake, error) {
		out, err := c.DeclineHandshake(ctx(tg.t), &organizations.DeclineHandshakeInput{HandshakeId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		return out.Handshake, nil
	},
	"CancelHandshake": func(c *organizations.Client, tg *target, id string) (*types.Handshake, error) {
		out, err := c.CancelHandshake(ctx(tg.t), &organizations.CancelHandshakeInput{HandshakeId: aws.String(id)})
		if err != nil {
			return nil, err
		}
		return out.Handshake, nil
	},
}

// moveTo brings the scene's fresh handshake into state through the API:
// the members approve (OPEN), the recipient accepts (from OPEN) or declines,
// the sender cancels, the clock passes the expiration time.
func (sc scene) moveTo(state string) {
	sc.t.Helper()
	var err error
	switch state {
	case "REQUESTED":
		return
	case "OPEN":
		if sc.open != nil {
			sc.open()
		}
		return
	case "ACCEPTED":
		sc.moveTo("OPEN")
		_, err = responders["AcceptHandshake"](sc.client(sc.roles[specs.RoleRecipient]), sc.target, sc.id)
	case "DECLINED":
		_, err = responders["DeclineHandshake"](sc.client(sc.roles[specs.RoleRecipient]), sc.target, sc.id)
	case "CANCELED":
		_, err = responders["CancelHandshake"](sc.client(sc.roles[specs.RoleSender]), sc.target, sc.id)
	case "EXPIRED":
		sc.advance(sc.expiry + time.Second)
	default:
		sc.t.Fatalf("no way to reach state %s", state)
	}
	if err != nil {
		sc.t.Fatalf("moving handshake to %s: %v", state, err)
	}
}

// stateOf returns the handshake's state as its recipient sees it.
func (sc scene) stateOf() string {
	sc.t.Helper()
	h, err := sc.describe(sc.roles[specs.RoleRecipient], sc.id)
	if err != nil {
		sc.t.Fatalf("DescribeHandshake %s: %v", sc.id, err)
	}
	return string(h.State)
}

// TestTransitionTable drives every reachable row of the specs transition
// table for the actions this target can create, through the AWS SDK, and
// checks that the outcome is one the row allows and that the state changed
// exactly when the call succeeded.
// answerOf is an SDK call's outcome as the oracle judges it.
func answerOf(h *types.Handshake, err error) oracle.Answer {
	if err == nil {
		a := oracle.Answer{Success: true, Status: 200, Summary: "success"}
		if h != nil {
			a.State = string(h.State)
		}
		return a
	}
	a := oracle.Answer{Code: errCode(err), Reason: errReason(err), Summary: err.Error()}
	if re, ok := errors.AsType[*awshttp.ResponseError](err); ok {
		a.Status = re.HTTPStatusCode()
	}
	return a
}

func TestTransitionTable(t *testing.T) {
	c := specs.Must()
	covered := 0
	for _, row := range c.Transitions {
		build, ok := scenes[row.Action]
		name := fmt.Sprintf("%s/%s/%s/%s", row.Action, row.State, row.Operation, row.Role)
		if !ok || !row.IsReachable() {
			continue
		}
		covered++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := build(newTarget(t))
			fresh := sc.stateOf()
			if !slices.Contains(c.Lifecycle.InitialStateSet(row.Action), fresh) {
				t.Fatalf("a fresh %s handshake is %s, not an initial state of specs", row.Action, fresh)
			}
			if slices.Contains(c.Lifecycle.InitialStateSet(row.Action), row.State) && fresh != row.State {
				t.Skipf("this target starts handshakes %s; initial state %s is not reachable here", fresh, row.State)
			}
			sc.moveTo(row.State)
			if got := sc.stateOf(); got != row.State {
				t.Fatalf("setup: handshake is %s, want %s", got, row.State)
			}
			call, ok := responders[row.Operation]
			if !ok {
				t.Fatalf("no responder for %s", row.Operation)
			}
			h, err := call(sc.client(sc.roles[row.Role]), sc.target, sc.id)
			after := sc.stateOf()
			// The one transition oracle judges the answer, as it does for
			// the checks.
			if v := oracle.Judge(oracle.FromRow(row), answerOf(h, err)); !v.Pass {
				t.Fatalf("expected %s; observed %s", v.Expected, v.Observed)
			}
			want := row.State
			if err == nil {
				want = row.Outcome.State
			}
			if after != want {
				t.Fatalf("DescribeHandshake shows %s after the call (error %v); want %s", after, err, want)
			}
		})
	}
	if covered < 150 {
		t.Fatalf("only %d reachable rows for the actions with scenes; the table shrank or the scenes lost an action", covered)
	}
}
