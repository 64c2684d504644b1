package endpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/orgconform/orgconform/internal/text"
	"math"
	"net/http"
	"time"
)

// clockPath is the reference target's test-control clock.
const clockPath = "/_orgconform/clock"

// clockBody is the reference target's clock document.
type clockBody struct {
	Now *float64 `json:"now"`
}

// Clock reads the target's clock from GET {endpoint}/_orgconform/clock
// ({"now": <epoch seconds>}). A target without the endpoint (a non-2xx
// answer, or a body that is not that document) reports ok=false and no
// error; err is for an unreachable target.
func (t *Target) Clock(ctx context.Context) (now time.Time, ok bool, err error) {
	status, body, err := t.control(ctx, http.MethodGet, nil)
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

// AdvanceClock moves the target's clock forward by d with POST
// {endpoint}/_orgconform/clock {"advance_seconds": N}. A target without the
// endpoint yields an error.
func (t *Target) AdvanceClock(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("advance clock: negative duration %s", d)
	}
	payload, err := json.Marshal(map[string]float64{"advance_seconds": d.Seconds()})
	if err != nil {
		return fmt.Errorf("advance clock: %w", err)
	}
	status, body, err := t.control(ctx, http.MethodPost, payload)
	if err != nil {
		return fmt.Errorf("advance clock: %w", err)
	}
	if status < 200 || status >= 300 {
		return fmt.Errorf("advance clock by %s: target answered %d: %s", d, status, text.Snippet(body, 80))
	}
	return nil
}

// control sends one unsigned test-control request under the timeout.
func (t *Target) control(ctx context.Context, method string, payload []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, t.endpoint+clockPath, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, err
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hr, err := t.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %s", method, clockPath, describeTransport(err, t.timeout))
	}
	defer drain(hr)
	b, _, err := readBody(hr.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %s", method, clockPath, describeTransport(err, t.timeout))
	}
	return hr.StatusCode, b, nil
}
