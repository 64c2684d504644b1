package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/specs"
)

// membershipOps are the calls that change an organization's membership.
var membershipOps = []string{"AcceptHandshake", "RemoveAccountFromOrganization", "LeaveOrganization"}

// liveProfile plans a target-file run within live AWS's limits
// (specs/limits.json): answers of a new organization that is still
// finalizing are waited out; on real AWS membership changes are spaced and
// invitations counted against the daily quota, less what the management
// accounts' organizations sent in the last 24 hours. It says before the run
// how many checks fit and how many are left for the next run.
func liveProfile(ctx context.Context, w io.Writer, f *runFlags, tgt *endpoint.Target, fixed []endpoint.Principal, selected []check.Check, opts *contract.Options) error {
	c := specs.Must()
	if l, ok := c.Limit("finalizing-organization"); ok && f.finalizingWait > 0 {
		for _, e := range l.Errors {
			opts.Waits = append(opts.Waits, check.Wait{Code: e.Name, Reason: e.Reason, Max: f.finalizingWait})
		}
	}
	live := tgt.IsAWS()
	if live || f.set["membership-spacing"] {
		opts.Spacing, opts.SpacedOps = f.spacing, membershipOps
	}
	budget := f.invitationBudget
	if live && !f.set["invitation-budget"] {
		l, ok := c.Limit("invitations-per-day")
		if !ok || l.Value == nil {
			return fmt.Errorf("specs: no invitations-per-day limit")
		}
		used := 0
		for _, p := range fixed {
			if p.Role != fixture.Management {
				continue
			}
			n, err := fixture.InvitationsToday(ctx, tgt, p, time.Now())
			if err != nil {
				return fmt.Errorf("counting today's invitations: %v", err)
			}
			used = max(used, n)
		}
		budget = max(int(*l.Value)-used, 0)
		fmt.Fprintf(w, "invitation budget: %d of AWS's %d a day (%d sent in the last 24 hours and not accepted)\n", budget, *l.Value, used)
	}
	if budget < 0 {
		return nil
	}
	opts.InvitationBudget = &budget
	fit, left, spend := 0, 0, budget
	for _, ch := range selected {
		if check.CannotServe(ch.Needs.Principals, fixed) != "" {
			continue
		}
		if ch.Needs.Invitations > spend {
			left++
			continue
		}
		spend -= ch.Needs.Invitations
		fit++
	}
	fmt.Fprintf(w, "%s fit the invitation budget of %d; %d are left for the next run (the report lists them)\n", text.Count(fit, "check"), budget, left)
	return nil
}
