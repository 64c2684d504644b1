package reftarget_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconform/orgconform/reftarget"
)

// orgNow reads organization id's clock (epoch seconds) and its status.
func (tg *target) orgNow(id string) (float64, int) {
	tg.t.Helper()
	var out struct {
		Now          float64
		Organization string
	}
	st := tg.controlJSON(http.MethodGet, "/_orgconform/clock?organization="+url.QueryEscape(id), "", &out)
	if st == http.StatusOK && out.Organization != id {
		tg.t.Fatalf("GET clock of %s answered for %q", id, out.Organization)
	}
	return out.Now, st
}

// advanceOrg moves organization id's clock forward by d and returns its new now.
func (tg *target) advanceOrg(id string, d time.Duration) float64 {
	tg.t.Helper()
	var out struct{ Now float64 }
	body := fmt.Sprintf(`{"organization": %q, "advance_seconds": %g}`, id, d.Seconds())
	if st := tg.controlJSON(http.MethodPost, "/_orgconform/clock", body, &out); st != http.StatusOK {
		tg.t.Fatalf("advance the clock of %s: status %d", id, st)
	}
	return out.Now
}

// epoch is t as the clock endpoints give it.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func TestOrganizationClocksAreIndependent(t *testing.T) {
	base := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tg := newTargetWith(t, reftarget.Options{Now: func() time.Time { return base }})
	a := aws.ToString(tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll).Id)
	b := aws.ToString(tg.createOrg(otherMgmtAcct, types.OrganizationFeatureSetAll).Id)
	fromA := tg.invite(mgmtAcct, recipientAcct)
	fromB := tg.invite(otherMgmtAcct, recipientAcct)

	const day = 24 * time.Hour
	if got := tg.advanceOrg(b, 16*day); got != epoch(base.Add(16*day)) {
		t.Fatalf("B's clock after 16 days: %f, want %f", got, epoch(base.Add(16*day)))
	}
	if now, st := tg.orgNow(a); st != http.StatusOK || now != epoch(base) {
		t.Errorf("A's clock moved with B's: %f (%d)", now, st)
	}
	var global struct{ Now float64 }
	if tg.controlJSON(http.MethodGet, "/_orgconform/clock", "", &global); global.Now != epoch(base) {
		t.Errorf("the target clock moved with B's: %f", global.Now)
	}
	// Each handshake is judged by its sender's clock, whoever reads it.
	for _, viewer := range []string{recipientAcct, mgmtAcct} {
		if st := tg.stateOf(viewer, aws.ToString(fromA.Id)); st != types.HandshakeStateOpen {
			t.Errorf("A's invitation read by %s after B's clock moved 16 days: %s, want OPEN", viewer, st)
		}
	}
	if st := tg.stateOf(recipientAcct, aws.ToString(fromB.Id)); st != types.HandshakeStateExpired {
		t.Errorf("B's invitation after B's clock moved 16 days: %s, want EXPIRED", st)
	}
	// The recipient's list mixes organizations, each on its own clock.
	states := map[string]types.HandshakeState{}
	for _, h := range tg.received(recipientAcct, "") {
		states[aws.ToString(h.Id)] = h.State
	}
	if states[aws.ToString(fromA.Id)] != types.HandshakeStateOpen || states[aws.ToString(fromB.Id)] != types.HandshakeStateExpired {
		t.Errorf("ListHandshakesForAccount: %v", states)
	}
	// B's new invitations are stamped with B's time.
	fresh := tg.invite(otherMgmtAcct, memberAcct)
	if got, want := aws.ToTime(fresh.RequestedTimestamp), base.Add(16*day); !got.Equal(want) {
		t.Errorf("RequestedTimestamp of B's new invitation %s, want B's now %s", got, want)
	}
	if got, want := aws.ToTime(fresh.ExpirationTimestamp), base.Add(31*day); !got.Equal(want) {
		t.Errorf("ExpirationTimestamp of B's new invitation %s, want %s", got, want)
	}
	tg.accept(memberAcct, aws.ToString(fresh.Id))
	accounts, err := tg.client(otherMgmtAcct).ListAccounts(ctx(t), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, acct := range accounts.Accounts {
		want := base
		if aws.ToString(acct.Id) == memberAcct {
			want = base.Add(16 * day)
		}
		if !aws.ToTime(acct.JoinedTimestamp).Equal(want) {
			t.Errorf("JoinedTimestamp of %s: %s, want %s", aws.ToString(acct.Id), aws.ToTime(acct.JoinedTimestamp), want)
		}
	}

	// Now A's clock: its invitation expires.
	tg.advanceOrg(a, 15*day)
	if st := tg.stateOf(recipientAcct, aws.ToString(fromA.Id)); st != types.HandshakeStateExpired {
		t.Errorf("A's invitation after A's clock moved 15 days: %s, want EXPIRED", st)
	}
	if _, err := tg.client(recipientAcct).AcceptHandshake(ctx(t), &organizations.AcceptHandshakeInput{HandshakeId: fromA.Id}); errCode(err) != "InvalidHandshakeTransitionException" {
		t.Errorf("accepting A's expired invitation: %v", err)
	}
}

func TestOrganizationClockRequests(t *testing.T) {
	base := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tg := newTargetWith(t, reftarget.Options{Now: func() time.Time { return base }})
	org := aws.ToString(tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll).Id)

	var e struct{ Message string }
	if st := tg.controlJSON(http.MethodGet, "/_orgconform/clock?organization=o-0000000000", "", &e); st != http.StatusNotFound || e.Message == "" {
		t.Errorf("GET the clock of an unknown organization: %d %+v, want 404 with a message", st, e)
	}
	if st := tg.controlJSON(http.MethodPost, "/_orgconform/clock", `{"organization":"o-0000000000","advance_seconds":1}`, &e); st != http.StatusNotFound || e.Message == "" {
		t.Errorf("POST the clock of an unknown organization: %d %+v, want 404 with a message", st, e)
	}
	for _, bad := range []string{
		`{"organization":"","advance_seconds":1}`,
		`{"organization":"` + org + `","advance_seconds":-1}`,
		`{"organization":"` + org + `"}`,
		`{"organization":"` + org + `","set":1000}`,
		`{"organization":7,"advance_seconds":1}`,
	} {
		if st := tg.controlJSON(http.MethodPost, "/_orgconform/clock", bad, &e); st != http.StatusBadRequest || e.Message == "" {
			t.Errorf("%s: %d %+v, want 400 with a message", bad, st, e)
		}
	}
	for _, query := range []string{"organisation=" + org, "organization="} {
		if st := tg.controlJSON(http.MethodGet, "/_orgconform/clock?"+query, "", &e); st != http.StatusBadRequest || e.Message == "" {
			t.Errorf("GET clock?%s: %d %+v, want 400", query, st, e)
		}
	}
	// set moves only forward, to the millisecond.
	target := epoch(base) + 3600.25
	var out struct {
		Now          float64
		Organization string
	}
	if st := tg.controlJSON(http.MethodPost, "/_orgconform/clock", fmt.Sprintf(`{"organization":%q,"set":%.3f}`, org, target), &out); st != http.StatusOK ||
		out.Now != target || out.Organization != org {
		t.Errorf("set: %d %+v, want %f", st, out, target)
	}
	if st := tg.controlJSON(http.MethodPost, "/_orgconform/clock", fmt.Sprintf(`{"organization":%q,"set":%.3f}`, org, target-1), &e); st != http.StatusBadRequest {
		t.Errorf("set backwards: %d, want 400", st)
	}
	// The unscoped form moves the base every organization builds on.
	tg.advance(time.Hour)
	if now, _ := tg.orgNow(org); now != target+3600 {
		t.Errorf("after the target clock moved an hour: %f, want %f", now, target+3600)
	}
	var info reftarget.Info
	if tg.controlJSON(http.MethodGet, "/_orgconform/info", "", &info); !info.OrganizationClocks {
		t.Errorf("info does not announce organization clocks: %+v", info)
	}
}

// TestOrganizationClockOutlivesTheOrganization: a deleted organization's
// clock stays while its handshakes are retained; one with none is gone.
func TestOrganizationClockOutlivesTheOrganization(t *testing.T) {
	tg := newTarget(t)
	org := aws.ToString(tg.createOrg(mgmtAcct, types.OrganizationFeatureSetAll).Id)
	h := tg.invite(mgmtAcct, recipientAcct)
	if _, err := tg.client(mgmtAcct).DeleteOrganization(ctx(t), &organizations.DeleteOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	if _, st := tg.orgNow(org); st != http.StatusOK {
		t.Fatalf("the clock of a deleted organization with a retained handshake: %d", st)
	}
	if st := tg.stateOf(recipientAcct, aws.ToString(h.Id)); st != types.HandshakeStateCanceled {
		t.Fatalf("the invitation of a deleted organization: %s", st)
	}
	tg.advanceOrg(org, 30*24*time.Hour)
	if _, err := tg.describe(recipientAcct, aws.ToString(h.Id)); errCode(err) != "HandshakeNotFoundException" {
		t.Errorf("30 days after the organization was deleted, its handshake: %v", err)
	}

	empty := aws.ToString(tg.createOrg(otherMgmtAcct, types.OrganizationFeatureSetAll).Id)
	if _, err := tg.client(otherMgmtAcct).DeleteOrganization(ctx(t), &organizations.DeleteOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	if _, st := tg.orgNow(empty); st != http.StatusNotFound {
		t.Errorf("the clock of a deleted organization that sent nothing: %d, want 404", st)
	}
}

// TestConcurrentClockMovesAndOperations runs scoped and unscoped clock
// moves alongside operations of the same organizations; run with -race.
func TestConcurrentClockMovesAndOperations(t *testing.T) {
	d := direct{tb: t, srv: reftarget.New(reftarget.Options{})}
	const orgs = 4
	ids := make([]string, orgs)
	for i := range orgs {
		ids[i] = d.firstMatch(orgIDRe, d.must(cycleAccount(500+i), "CreateOrganization", `{}`))
	}
	errs := make(chan string, 1000)
	expect := func(what string, status int, body []byte) {
		if status != http.StatusOK {
			errs <- fmt.Sprintf("%s: %d %s", what, status, body)
		}
	}
	var wg sync.WaitGroup
	for i := range orgs {
		wg.Go(func() {
			for j := range 20 {
				st, body := d.send(http.MethodPost, "/_orgconform/clock", fmt.Sprintf(`{"organization":%q,"advance_seconds":%d}`, ids[i], j*3600))
				expect("advance "+ids[i], st, body)
				st, body = d.send(http.MethodGet, "/_orgconform/clock?organization="+ids[(i+1)%orgs], "")
				expect("read "+ids[(i+1)%orgs], st, body)
			}
		})
		wg.Go(func() {
			mgmt := cycleAccount(500 + i)
			for j := range 20 {
				recipient := cycleAccount(700 + 20*i + j)
				st, body := d.post(mgmt, "InviteAccountToOrganization", `{"Target":{"Id":"`+recipient+`","Type":"ACCOUNT"}}`)
				expect("invite", st, body)
				if m := handshakeIDRe.FindSubmatch(body); m != nil && j%2 == 0 {
					st, body = d.post(recipient, "AcceptHandshake", `{"HandshakeId":"`+string(m[1])+`"}`)
					if st != http.StatusOK && !bytes.Contains(body, []byte("InvalidHandshakeTransitionException")) {
						errs <- fmt.Sprintf("accept: %d %s", st, body) // it may have expired meanwhile
					}
				}
				st, body = d.post(recipient, "ListHandshakesForAccount", `{}`)
				expect("list", st, body)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			st, body := d.send(http.MethodPost, "/_orgconform/clock", `{"advance_seconds":60}`)
			expect("advance the target clock", st, body)
		}
	})
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
