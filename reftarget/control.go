package reftarget

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// controlPrefix is the path prefix of the test-control endpoints, which are
// outside the AWS API and need no Authorization header.
const controlPrefix = "/_orgconform/"

// Info is the document GET /_orgconform/info returns; a runner uses it to
// detect the reference target and its capabilities.
type Info struct {
	Name                 string `json:"name"`
	Accounts             string `json:"accounts"`
	DefaultAccount       string `json:"defaultAccount"`
	Clock                string `json:"clock"`
	InitialState         string `json:"initialState"`
	ExpiresAfterSeconds  int64  `json:"expiresAfterSeconds"`
	RetainedAfterSeconds int64  `json:"retainedAfterSeconds"`
	// Without lists the operations that answer "not implemented" (501
	// InternalFailure, as LocalStack does), sorted: Options.Without, plus
	// CreateOrganization with implicit organizations.
	Without []string `json:"without"`
	// ImplicitOrganizations is Options.ImplicitOrganizations.
	ImplicitOrganizations bool `json:"implicitOrganizations"`
}

// InfoName is Info.Name of this target.
const InfoName = "orgconform reference target"

// clockRequest is the body of POST /_orgconform/clock: exactly one of
// advance_seconds (>= 0) and set (epoch seconds, not before now).
type clockRequest struct {
	AdvanceSeconds *float64 `json:"advance_seconds"`
	Set            *float64 `json:"set"`
}

// clockResponse is the answer of both clock endpoints.
type clockResponse struct {
	Now epochSeconds `json:"now"`
}

// controlError is the error document of the control endpoints.
type controlError struct {
	Message string `json:"message"`
}

// serveControl answers a test-control request and returns its status.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) int {
	reply := func(status int, v any) int {
		writeJSON(w, status, v)
		return status
	}
	switch {
	case r.URL.Path == controlPrefix+"info" && r.Method == http.MethodGet:
		return reply(http.StatusOK, Info{
			Name:                  InfoName,
			Accounts:              "localstack",
			DefaultAccount:        defaultAccount,
			Clock:                 controlPrefix + "clock",
			InitialState:          stateOpen,
			ExpiresAfterSeconds:   int64(s.expiry / time.Second),
			RetainedAfterSeconds:  int64(s.retention / time.Second),
			Without:               s.missingNames(),
			ImplicitOrganizations: s.implicitOrgs,
		})
	case r.URL.Path == controlPrefix+"clock" && r.Method == http.MethodGet:
		return reply(http.StatusOK, clockResponse{Now: epochSeconds(s.clock.now())})
	case r.URL.Path == controlPrefix+"clock" && r.Method == http.MethodPost:
		now, msg := s.moveClock(r)
		if msg != "" {
			return reply(http.StatusBadRequest, controlError{Message: msg})
		}
		return reply(http.StatusOK, clockResponse{Now: epochSeconds(now)})
	}
	return reply(http.StatusNotFound, controlError{Message: "no control endpoint " + r.Method + " " + r.URL.Path +
		" (GET " + controlPrefix + "info, GET|POST " + controlPrefix + "clock)"})
}

// maxEpoch is the latest time set accepts: the end of year 9999.
const maxEpoch = 253402300799.0

// moveClock applies a POST /_orgconform/clock body; a non-empty message
// explains why it was refused. The clock only moves forward.
func (s *Server) moveClock(r *http.Request) (time.Time, string) {
	var req clockRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return time.Time{}, "the body must be {\"advance_seconds\": N} or {\"set\": epochSeconds}: " + err.Error()
	}
	// Take the state lock so that no operation sees the clock move mid-call.
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case (req.AdvanceSeconds == nil) == (req.Set == nil):
		return time.Time{}, "give exactly one of advance_seconds and set"
	case req.AdvanceSeconds != nil:
		n := *req.AdvanceSeconds
		if n < 0 || math.IsInf(n, 0) || n > 100*365*24*3600 {
			return time.Time{}, "advance_seconds must be between 0 and 100 years"
		}
		return s.clock.advance(time.Duration(n * float64(time.Second))), ""
	default:
		sec := *req.Set
		if math.IsNaN(sec) || sec < 0 || sec > maxEpoch {
			return time.Time{}, fmt.Sprintf("set must be epoch seconds between 0 and %d (year 9999)", int64(maxEpoch))
		}
		t := time.UnixMilli(int64(math.Round(sec * 1000)))
		now, ok := s.clock.set(t)
		if !ok {
			return now, "set must not be before now (the clock only moves forward)"
		}
		return now, ""
	}
}
