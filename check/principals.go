package check

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/orgconform/orgconform/endpoint"
)

// principals hands each check the accounts it calls as. Without fixed
// principals every check mints its own (the LocalStack convention: fresh
// account ids, a function of the seed and the check's id, so a check gets
// the same accounts whatever order the run takes). With fixed principals
// (a target file's accounts, grouped by role) each check leases the
// accounts it declared it needs, one check at a time per account.
type principals struct {
	tgt   *endpoint.Target
	pools map[string][]endpoint.Principal

	mu      sync.Mutex
	busy    map[string]bool // account ids leased
	changed chan struct{}   // closed when a lease is returned
}

func newPrincipals(tgt *endpoint.Target, fixed []endpoint.Principal) *principals {
	p := &principals{tgt: tgt, busy: map[string]bool{}, changed: make(chan struct{})}
	if len(fixed) > 0 {
		p.pools = map[string][]endpoint.Principal{}
		for _, f := range fixed {
			p.pools[f.Role] = append(p.pools[f.Role], f)
		}
	}
	return p
}

// fixed reports whether the run uses fixed principals.
func (p *principals) fixed() bool { return p.pools != nil }

// canServe says why the fixed principals cannot serve needs ("" when they
// can, or when principals are minted).
func (p *principals) canServe(needs map[string]int) string {
	if !p.fixed() {
		return ""
	}
	var short []string
	for _, role := range sortedRoles(needs) {
		if have := len(p.pools[role]); have < needs[role] {
			short = append(short, fmt.Sprintf("%d %s account(s), the target file has %d", needs[role], role, have))
		}
	}
	if len(short) == 0 {
		return ""
	}
	return "the check needs " + strings.Join(short, "; ")
}

// lease reserves the fixed principals needs asks for, waiting while other
// checks hold them. With minted principals it returns nothing to release.
func (p *principals) lease(ctx context.Context, needs map[string]int) (map[string][]endpoint.Principal, func(), error) {
	if !p.fixed() {
		return nil, func() {}, nil
	}
	if why := p.canServe(needs); why != "" {
		return nil, nil, fmt.Errorf("%s", why)
	}
	for {
		p.mu.Lock()
		got, ok := p.pick(needs)
		if ok {
			for _, ps := range got {
				for _, pr := range ps {
					p.busy[pr.AccountID] = true
				}
			}
			p.mu.Unlock()
			return got, func() { p.release(got) }, nil
		}
		wait := p.changed
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-wait:
		}
	}
}

// pick chooses free principals for needs; p.mu is held.
func (p *principals) pick(needs map[string]int) (map[string][]endpoint.Principal, bool) {
	got := map[string][]endpoint.Principal{}
	taken := map[string]bool{}
	for _, role := range sortedRoles(needs) {
		for _, pr := range p.pools[role] {
			if len(got[role]) == needs[role] {
				break
			}
			if !p.busy[pr.AccountID] && !taken[pr.AccountID] {
				got[role] = append(got[role], pr)
				taken[pr.AccountID] = true
			}
		}
		if len(got[role]) < needs[role] {
			return nil, false
		}
	}
	return got, true
}

func (p *principals) release(got map[string][]endpoint.Principal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ps := range got {
		for _, pr := range ps {
			delete(p.busy, pr.AccountID)
		}
	}
	close(p.changed)
	p.changed = make(chan struct{})
}

func sortedRoles(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// CannotServe says why the fixed principals cannot serve needs ("" when
// they can): a target file with too few accounts of a role.
func CannotServe(needs map[string]int, fixed []endpoint.Principal) string {
	if len(fixed) == 0 {
		return ""
	}
	return newPrincipals(nil, fixed).canServe(needs)
}
