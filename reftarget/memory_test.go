package reftarget_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"testing"
	"time"

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
// keeps for 30 days.
func (d direct) cycle(i int) {
	d.tb.Helper()
	mgmt, member := cycleAccount(2*i), cycleAccount(2*i+1)
	d.must(mgmt, "CreateOrganization", `{"FeatureSet":"ALL"}`)
	id := d.firstMatch(handshakeIDRe, d.must(mgmt, "InviteAccountToOrganization",
		`{"Target":{"Id":"`+member+`","Type":"ACCOUNT"},"Notes":"campaign"}`))
	d.must(member, "AcceptHandshake", `{"HandshakeId":"`+id+`"}`)
	d.must(mgmt, "RemoveAccountFromOrganization", `{"AccountId":"`+member+`"}`)
	d.must(mgmt, "DeleteOrganization", `{}`)
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

var _ = time.Second
