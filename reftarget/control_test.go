package reftarget_test

import (
	"fmt"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/orgconform/orgconform/reftarget"
)

func TestInfoEndpoint(t *testing.T) {
	tg := newTarget(t)
	var info reftarget.Info
	if st := tg.controlJSON(http.MethodGet, "/_orgconform/info", "", &info); st != http.StatusOK {
		t.Fatalf("status %d", st)
	}
	if info.Name != reftarget.InfoName || info.Accounts != "localstack" || info.DefaultAccount != "000000000000" ||
		info.Clock != "/_orgconform/clock" || info.ExpiresAfterSeconds != 15*24*3600 || info.RetainedAfterSeconds != 30*24*3600 ||
		info.InitialState != "OPEN" {
		t.Fatalf("info %+v", info)
	}
	wantExpiry := map[string]int64{"INVITE": 15 * 24 * 3600, "ENABLE_ALL_FEATURES": 90 * 24 * 3600, "APPROVE_ALL_FEATURES": 90 * 24 * 3600}
	wantInitial := map[string]string{"INVITE": "OPEN", "ENABLE_ALL_FEATURES": "REQUESTED", "APPROVE_ALL_FEATURES": "OPEN"}
	if !maps.Equal(info.ExpiresAfterSecondsByAction, wantExpiry) || !maps.Equal(info.InitialStateByAction, wantInitial) {
		t.Fatalf("info by action: %v %v", info.ExpiresAfterSecondsByAction, info.InitialStateByAction)
	}
	var e struct{ Message string }
	if st := tg.controlJSON(http.MethodGet, "/_orgconform/nothing", "", &e); st != http.StatusNotFound || e.Message == "" {
		t.Fatalf("unknown control path: %d %+v", st, e)
	}
}

func TestClockEndpoint(t *testing.T) {
	base := time.Date(2030, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	ts := newTargetWith(t, reftarget.Options{Now: func() time.Time { return base }})
	var now struct{ Now float64 }
	get := func() float64 {
		t.Helper()
		if st := ts.controlJSON(http.MethodGet, "/_orgconform/clock", "", &now); st != http.StatusOK {
			t.Fatalf("GET clock: %d", st)
		}
		return now.Now
	}
	start := float64(base.UnixMilli()) / 1000
	if got := get(); got != start {
		t.Fatalf("now %f, want %f", got, start)
	}
	if got := ts.advance(90 * time.Second); got != start+90 {
		t.Fatalf("after advancing 90 s: %f, want %f", got, start+90)
	}
	if got := get(); got != start+90 {
		t.Fatalf("GET after advance: %f", got)
	}
	var e struct{ Message string }
	for _, bad := range []string{`{"advance_seconds": -1}`, `{"set": 1000}`, `{"set": 99999999999999999}`, `{"set": -5}`, `{}`, `{"advance_seconds": 1, "set": 2000000000}`, `{"speed": 2}`, `nope`} {
		if st := ts.controlJSON(http.MethodPost, "/_orgconform/clock", bad, &e); st != http.StatusBadRequest || e.Message == "" {
			t.Errorf("%s: status %d %+v, want 400 with a message", bad, st, e)
		}
	}
	target := start + 86400.5
	if st := ts.controlJSON(http.MethodPost, "/_orgconform/clock", fmt.Sprintf(`{"set": %.3f}`, target), &now); st != http.StatusOK || now.Now != target {
		t.Fatalf("set: %d, now %f want %f", st, now.Now, target)
	}
}

// newTargetWith is newTarget with options.
func newTargetWith(t *testing.T, opts reftarget.Options) *target {
	t.Helper()
	url, shutdown, err := reftarget.New(opts).Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := shutdown(ctx(t)); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &target{t: t, url: url}
}
