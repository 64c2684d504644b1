package reftarget_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgconform/orgconform/reftarget"
)

// lockedLog is a log writer safe for the server's goroutines and the test.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestLatencyDelaysEveryAPIAnswer(t *testing.T) {
	const latency = 400 * time.Millisecond
	tg := newTargetWith(t, reftarget.Options{Latency: latency})
	for _, tc := range []struct{ account, op, body string }{
		{mgmtAcct, "CreateOrganization", `{}`},
		{mgmtAcct, "DescribeHandshake", `{"HandshakeId":"BAD"}`}, // an error answer
		{"", "ListAccounts", `{}`},                               // no Authorization
	} {
		start := time.Now()
		r := tg.raw(tc.account, tc.op, []byte(tc.body))
		if took := time.Since(start); took < latency {
			t.Errorf("%s answered %d after %s, before the latency %s", tc.op, r.status, took, latency)
		}
	}
	// The control endpoints are not delayed.
	start := time.Now()
	var info reftarget.Info
	tg.controlJSON(http.MethodGet, "/_orgconform/info", "", &info)
	if took := time.Since(start); took >= latency {
		t.Errorf("GET /_orgconform/info took %s", took)
	}
	if info.LatencyMs != 400 {
		t.Errorf("info latencyMs %v, want 400", info.LatencyMs)
	}
}

// TestLatencyHonoursTheClientGivingUp: a client that stops waiting frees
// the handler at once, and its request has no effect.
func TestLatencyHonoursTheClientGivingUp(t *testing.T) {
	const latency = time.Second
	log := &lockedLog{}
	ts := httptest.NewServer(reftarget.New(reftarget.Options{Latency: latency, Log: log}))
	t.Cleanup(ts.Close)
	c, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(c, http.MethodPost, ts.URL+"/", strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.CreateOrganization")
	req.Header.Set("Authorization", signedLooking(mgmtAcct))
	start := time.Now()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the request answered %d within 100 ms despite a latency of %s", resp.StatusCode, latency)
	}
	for !strings.Contains(log.String(), "CreateOrganization account=- status=499") {
		if time.Since(start) > latency*3/4 {
			t.Fatalf("the handler still waits %s after the client gave up; log %q", time.Since(start), log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The abandoned CreateOrganization did not happen.
	tg := &target{t: t, url: ts.URL}
	if r := tg.raw(mgmtAcct, "DescribeOrganization", []byte(`{}`)); r.body["__type"] != "AWSOrganizationsNotInUseException" {
		t.Errorf("after the abandoned CreateOrganization: %d %s", r.status, r.text)
	}
}

func TestLatencyOutOfRangeIsAnError(t *testing.T) {
	for _, d := range []time.Duration{-time.Millisecond, reftarget.MaxLatency + time.Millisecond} {
		if _, err := reftarget.NewChecked(reftarget.Options{Latency: d}); err == nil || !strings.Contains(err.Error(), "Latency") {
			t.Errorf("Latency %s: %v, want an error naming Latency", d, err)
		}
	}
	if _, err := reftarget.NewChecked(reftarget.Options{Latency: reftarget.MaxLatency}); err != nil {
		t.Errorf("Latency MaxLatency: %v", err)
	}
}
