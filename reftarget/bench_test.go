package reftarget_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orgconform/orgconform/reftarget"
)

// BenchmarkServer measures requests per second over loopback, one keep-alive
// connection, for a bare net/http handler (the baseline) and for the
// reference target's DescribeHandshake and AcceptHandshake, and reports each
// target figure as a ratio to the baseline of the same run:
//
//	go test -bench . -run '^$' ./reftarget/
//
// AcceptHandshake accepts b.N distinct invitations created before the timer
// starts (the success path: membership change plus response), so every
// timed request does the full work.
func BenchmarkServer(b *testing.B) {
	var baseline float64
	b.Run("baseline-nethttp", func(b *testing.B) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = w.Write([]byte(`{}`))
		}))
		defer ts.Close()
		body := []byte(`{"HandshakeId":"h-abcdefghij"}`)
		baseline = drive(b, ts.URL, func(int) (string, []byte) { return mgmtAcct, body }, "DescribeHandshake")
	})
	b.Run("DescribeHandshake", func(b *testing.B) {
		srv := reftarget.New(reftarget.Options{})
		ids := seedInvites(b, srv, 1)
		ts := httptest.NewServer(srv)
		defer ts.Close()
		body := []byte(`{"HandshakeId":"` + ids[0] + `"}`)
		rps := drive(b, ts.URL, func(int) (string, []byte) { return mgmtAcct, body }, "DescribeHandshake")
		reportRatio(b, "DescribeHandshake", rps, baseline)
	})
	b.Run("AcceptHandshake", func(b *testing.B) {
		srv := reftarget.New(reftarget.Options{})
		ids := seedInvites(b, srv, b.N)
		ts := httptest.NewServer(srv)
		defer ts.Close()
		rps := drive(b, ts.URL, func(i int) (string, []byte) {
			return inviteeOf(i), []byte(`{"HandshakeId":"` + ids[i] + `"}`)
		}, "AcceptHandshake")
		reportRatio(b, "AcceptHandshake", rps, baseline)
	})
}

// inviteeOf is the account of the i-th benchmark invitation.
func inviteeOf(i int) string { return fmt.Sprintf("%012d", 100000000000+i) }

// seedInvites creates an organization and n invitations in srv, calling the
// handler directly, and returns the handshake ids.
func seedInvites(b *testing.B, srv http.Handler, n int) []string {
	b.Helper()
	post := func(account, op, body string) []byte {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewBufferString(body))
		req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+op)
		req.Header.Set("Authorization", signedLooking(account))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", op, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	post(mgmtAcct, "CreateOrganization", `{}`)
	ids := make([]string, n)
	idRe := []byte(`"Id":"h-`)
	for i := range n {
		out := post(mgmtAcct, "InviteAccountToOrganization", `{"Target":{"Id":"`+inviteeOf(i)+`","Type":"ACCOUNT"}}`)
		at := bytes.Index(out, idRe)
		end := bytes.IndexByte(out[at+6:], '"')
		ids[i] = string(out[at+6 : at+6+end])
	}
	return ids
}

// drive sends b.N requests built by next over one keep-alive connection,
// failing on any non-200 answer, and reports and returns requests/second.
func drive(b *testing.B, url string, next func(i int) (account string, body []byte), op string) float64 {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		account, body := next(i)
		req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Date", "20250101T000000Z")
		req.Header.Set("Authorization", signedLooking(account))
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	rps := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rps, "req/s")
	return rps
}

// reportRatio reports rps as a fraction of the baseline measured in the
// same run (the ratio-vs-nethttp column).
func reportRatio(b *testing.B, name string, rps, baseline float64) {
	if baseline == 0 {
		b.Logf("%s: %.0f req/s (no baseline in this run; use -bench 'Server' to include it)", name, rps)
		return
	}
	b.ReportMetric(rps/baseline, "ratio-vs-nethttp")
}
