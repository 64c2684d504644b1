package reftarget_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"testing"

	"github.com/orgconform/orgconform/reftarget"
)

// direct calls a reference target's handler in-process, without a network,
// so that heap figures measure the target and not a transport.
type direct struct {
	tb  testing.TB
	srv http.Handler
}

// post sends one API request as account and returns the status and body.
func (d direct) post(account, op, body string) (int, []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewBufferString(body))
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", signedLooking(account))
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// must is post that fails the test unless the answer is 200.
func (d direct) must(account, op, body string) []byte {
	d.tb.Helper()
	status, out := d.post(account, op, body)
	if status != http.StatusOK {
		d.tb.Fatalf("%s by %s: %d %s", op, account, status, out)
	}
	return out
}

// send sends one unsigned request (a test-control one) and returns the
// status and body.
func (d direct) send(method, path, body string) (int, []byte) {
	req := httptest.NewRequest(method, path, bytes.NewBufferString(body))
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

var (
	handshakeIDRe = regexp.MustCompile(`"Id":"(h-[a-z0-9]+)"`)
	orgIDRe       = regexp.MustCompile(`"Id":"(o-[a-z0-9]+)"`)
)

// firstMatch returns re's first submatch in body or fails.
func (d direct) firstMatch(re *regexp.Regexp, body []byte) string {
	d.tb.Helper()
	m := re.FindSubmatch(body)
	if m == nil {
		d.tb.Fatalf("no %s in %s", re, body)
	}
	return string(m[1])
}

// cycleAccount is the account number n of the memory cycles (distinct
// from every other test's accounts).
func cycleAccount(n int) string { return fmt.Sprintf("%012d", 600000000000+n) }

// cycle runs one organization life as a long campaign does: a fresh
// management account creates an organization, invites a fresh account,
// which accepts; the management account removes it and deletes the
// organization. What stays behind is the ACCEPTED handshake, which AWS
// keeps for 30 days, and the organization's clock with it. It returns the
// organization's id.
func (d direct) cycle(i int) string {
	d.tb.Helper()
	mgmt, member := cycleAccount(2*i), cycleAccount(2*i+1)
	org := d.firstMatch(orgIDRe, d.must(mgmt, "CreateOrganization", `{"FeatureSet":"ALL"}`))
	id := d.firstMatch(handshakeIDRe, d.must(mgmt, "InviteAccountToOrganization",
		`{"Target":{"Id":"`+member+`","Type":"ACCOUNT"},"Notes":"campaign"}`))
	d.must(member, "AcceptHandshake", `{"HandshakeId":"`+id+`"}`)
	d.must(mgmt, "RemoveAccountFromOrganization", `{"AccountId":"`+member+`"}`)
	d.must(mgmt, "DeleteOrganization", `{}`)
	return org
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkRetainedMemory reports the heap the target retains per unit of
// work, measured after a full collection and divided by b.N:
//
//	go test -bench RetainedMemory -run '^$' -benchtime 20000x ./reftarget/
//
// retained-B/cycle is one organization-invite-accept-remove-delete cycle
// (each with fresh accounts, as the runner's scenarios have), which leaves
// one ACCEPTED handshake behind for its 30-day retention;
// retained-B/handshake is one more OPEN invitation from an existing
// organization.
func BenchmarkRetainedMemory(b *testing.B) {
	b.Run("cycle", func(b *testing.B) {
		d := direct{tb: b, srv: reftarget.New(reftarget.Options{})}
		d.cycle(-1) // the first request's one-off allocations are not the target's growth
		before := heapInUse()
		b.ResetTimer()
		for i := range b.N {
			d.cycle(i)
		}
		b.StopTimer()
		after := heapInUse()
		runtime.KeepAlive(d.srv)
		b.ReportMetric(float64(int64(after)-int64(before))/float64(b.N), "retained-B/cycle")
	})
	b.Run("handshake", func(b *testing.B) {
		d := direct{tb: b, srv: reftarget.New(reftarget.Options{})}
		mgmt := cycleAccount(0)
		d.must(mgmt, "CreateOrganization", `{"FeatureSet":"ALL"}`)
		d.must(mgmt, "InviteAccountToOrganization", `{"Target":{"Id":"`+cycleAccount(1)+`","Type":"ACCOUNT"}}`)
		before := heapInUse()
		b.ResetTimer()
		for i := range b.N {
			d.must(mgmt, "InviteAccountToOrganization", `{"Target":{"Id":"`+cycleAccount(2+i)+`","Type":"ACCOUNT"}}`)
		}
		b.StopTimer()
		after := heapInUse()
		runtime.KeepAlive(d.srv)
		b.ReportMetric(float64(int64(after)-int64(before))/float64(b.N), "retained-B/handshake")
	})
}

// TestRetentionReleasesMemory: what a campaign leaves behind is released
// once its retention is over. After thousands of cycles, each deleted
// organization's clock is moved past the 30 days (as a client of a shared
// target can do for its own organizations), and ordinary requests — each
// doing its small share of the sweep — bring the retained heap back near
// where it started.
func TestRetentionReleasesMemory(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("measures the heap over thousands of requests (too slow under -race, or -short)")
	}
	const cycles = 4000
	d := direct{tb: t, srv: reftarget.New(reftarget.Options{})}
	d.cycle(-1) // first-use allocations (encoders, regexps) belong to the baseline
	before := heapInUse()
	orgs := make([]string, cycles)
	for i := range cycles {
		orgs[i] = d.cycle(i)
	}
	grown := int64(heapInUse()) - int64(before)
	if grown < cycles*100 {
		t.Fatalf("%d cycles retained only %d bytes: the measurement cannot show a release", cycles, grown)
	}
	for _, org := range orgs {
		if st, body := d.send(http.MethodPost, "/_orgconform/clock", `{"organization":"`+org+`","advance_seconds":2592000}`); st != http.StatusOK {
			t.Fatalf("advance the clock of deleted organization %s: %d %s", org, st, body)
		}
	}
	// The handshakes are gone at once; the memory goes as requests sweep.
	for i := range cycles {
		if st, _ := d.post(cycleAccount(2*i+1), "DescribeOrganization", `{}`); st != http.StatusBadRequest {
			t.Fatalf("DescribeOrganization by an account in no organization: %d", st)
		}
	}
	after := int64(heapInUse()) - int64(before)
	t.Logf("%d cycles retained %d bytes (%d per cycle); after their retention and %d requests, %d", cycles, grown, grown/cycles, cycles, after)
	if limit := grown / 10; after > limit {
		t.Errorf("after the retention period the heap is still %d bytes above its start, more than 10%% of the %d the cycles took", after, grown)
	}
	// The deleted organizations' clocks went with their handshakes.
	if st, _ := d.send(http.MethodGet, "/_orgconform/clock?organization="+orgs[0], ""); st != http.StatusNotFound {
		t.Errorf("the clock of a deleted organization whose handshakes are released: %d, want 404", st)
	}
	runtime.KeepAlive(d.srv)
}
