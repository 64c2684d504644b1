package reftarget

import (
	"fmt"
	"sync"
	"time"
)

// clock is the target's notion of now: a base clock plus an offset that the
// test-control endpoint can move forward. Times are truncated to the
// millisecond, the precision of the wire's epoch-seconds timestamps.
type clock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset time.Duration
}

// now returns the current target time.
func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *clock) nowLocked() time.Time {
	return c.base().Round(0).Add(c.offset).Truncate(time.Millisecond)
}

// advance moves the clock forward by d (d >= 0) and returns the new now.
func (c *clock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	return c.nowLocked()
}

// set moves the clock to t, which must not be before now; it reports the
// new now and whether the move was allowed.
func (c *clock) set(t time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.nowLocked()
	if t.Before(cur) {
		return cur, false
	}
	c.offset += t.Sub(cur)
	return c.nowLocked(), true
}

// epochSeconds is a time that marshals as epoch seconds with a three-digit
// fractional part (1481656459.257), the awsJson1_1 timestamp format.
type epochSeconds time.Time

// MarshalJSON implements json.Marshaler.
func (e epochSeconds) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return fmt.Appendf(nil, "%d.%03d", ms/1000, ms%1000), nil
}
