package endpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/orgconform/orgconform/internal/text"
)

// clockPath is the reference target's test-control clock.
const clockPath = "/_orgconform/clock"

// clockBody is the reference target's clock document.
type clockBody struct {
	Now *float64 `json:"now"`
}

// Clock reads organization org's clock from GET
// {endpoint}/_orgconform/clock?organization=ORG ({"now": <epoch seconds>}),
// or with org "" the target-wide clock from GET {endpoint}/_orgconform/clock.
// A target without the endpoint, or that does not know org (a non-2xx
// answer, or a body that is not that document), reports ok=false and no
// error; err is for an unreachable target.
func (t *Target) Clock(ctx context.Context, org string) (now time.Time, ok bool, err error) {
	path := clockPath
	if org != "" {
		path += "?organization=" + url.QueryEscape(org)
	}
	status, body, err := t.control(ctx, http.MethodGet, path, nil)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read clock: %w", err)
	}
	if status < 200 || status >= 300 {
		return time.Time{}, false, nil
	}
	var cb clockBody
	if json.Unmarshal(body, &cb) != nil || cb.Now == nil || math.IsNaN(*cb.Now) || math.IsInf(*cb.Now, 0) {
		return time.Time{}, false, nil
	}
	sec, frac := math.Modf(*cb.Now)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

// advanceBody is the body of POST /_orgconform/clock that advances a clock.
type advanceBody struct {
	Organization   string  `json:"organization,omitempty"`
	AdvanceSeconds float64 `json:"advance_seconds"`
}

// AdvanceClock moves organization org's clock forward by d with POST
// {endpoint}/_orgconform/clock {"organization": ORG, "advance_seconds": N}:
// only that organization's handshakes and timestamps see the time pass, so
// other clients of a shared target are undisturbed. With org "" it moves
// the target-wide clock, and so every organization's ({"advance_seconds":
// N}); the checks never do that. A target without the endpoint, or that
// does not know org, yields an error.
func (t *Target) AdvanceClock(ctx context.Context, org string, d time.Duration) error {
	what := "advance clock"
	if org != "" {
		what = "advance the clock of " + org
	}
	if d < 0 {
		return fmt.Errorf("%s: negative duration %s", what, d)
	}
	payload, err := json.Marshal(advanceBody{Organization: org, AdvanceSeconds: d.Seconds()})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	status, body, err := t.control(ctx, http.MethodPost, clockPath, payload)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if status < 200 || status >= 300 {
		return fmt.Errorf("%s by %s: target answered %d: %s", what, d, status, text.Snippet(body, 80))
	}
	return nil
}

// control sends one unsigned test-control request to path (which may carry
// a query) under the timeout.
func (t *Target) control(ctx context.Context, method, path string, payload []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, t.endpoint+path, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, err
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hr, err := t.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %s", method, path, describeTransport(err, t.timeout))
	}
	defer drain(hr)
	b, _, err := readBody(hr.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %s", method, path, describeTransport(err, t.timeout))
	}
	return hr.StatusCode, b, nil
}
