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
// detect the reference target and its capabilities. InitialState and
// ExpiresAfterSeconds are those of INVITE; the ByAction maps give every
// action this target creates.
type Info struct {
	Name                        string            `json:"name"`
	Accounts                    string            `json:"accounts"`
	DefaultAccount              string            `json:"defaultAccount"`
	Clock                       string            `json:"clock"`
	InitialState                string            `json:"initialState"`
	InitialStateByAction        map[string]string `json:"initialStateByAction"`
	ExpiresAfterSeconds         int64             `json:"expiresAfterSeconds"`
	ExpiresAfterSecondsByAction map[string]int64  `json:"expiresAfterSecondsByAction"`
	RetainedAfterSeconds        int64             `json:"retainedAfterSeconds"`
	// Without lists the operations that answer "not implemented" (501
	// InternalFailure, as LocalStack does), sorted: Options.Without, plus
	// CreateOrganization with implicit organizations.
	Without []string `json:"without"`
	// ImplicitOrganizations is Options.ImplicitOrganizations.
	ImplicitOrganizations bool `json:"implicitOrganizations"`
	// SharedAccount is Options.SharedAccount: every caller is served as
	// DefaultAccount, and Accounts says "shared".
	SharedAccount bool `json:"sharedAccount"`
	// OrganizationClocks says the clock endpoint takes an organization
	// (GET ?organization=ID, POST {"organization": ID, ...}) and moves only
	// that organization's clock.
	OrganizationClocks bool `json:"organizationClocks"`
	// LatencyMs is Options.Latency in milliseconds.
	LatencyMs float64 `json:"latencyMs"`
}

// initialStates are the states this target creates handshakes in (an
// ENABLE_ALL_FEATURES request starts OPEN only when no member is asked).
var initialStates = map[string]string{actionInvite: stateOpen, actionEnable: stateRequested, actionApprove: stateOpen}

// InfoName is Info.Name of this target.
const InfoName = "orgconform reference target"

// clockRequest is the body of POST /_orgconform/clock: exactly one of
// advance_seconds (>= 0) and set (epoch seconds, not before now), and
// optionally the organization whose clock alone moves.
type clockRequest struct {
	Organization   *string  `json:"organization"`
	AdvanceSeconds *float64 `json:"advance_seconds"`
	Set            *float64 `json:"set"`
}

// clockResponse is the answer of both clock endpoints; Organization is set
// for the scoped form.
type clockResponse struct {
	Now          epochSeconds `json:"now"`
	Organization string       `json:"organization,omitempty"`
}

// clockError is a refused clock request: its HTTP status and why.
type clockError struct {
	status  int
	message string
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
		expires := map[string]int64{}
		for action, d := range s.expiry {
			expires[action] = int64(d / time.Second)
		}
		accounts, def := "localstack", defaultAccount
		if s.sharedAccount {
			accounts, def = "shared", SharedAccountID
		}
		return reply(http.StatusOK, Info{
			Name:                        InfoName,
			Accounts:                    accounts,
			DefaultAccount:              def,
			Clock:                       controlPrefix + "clock",
			InitialState:                s.initial[actionInvite],
			InitialStateByAction:        s.initial,
			ExpiresAfterSeconds:         expires[actionInvite],
			ExpiresAfterSecondsByAction: expires,
			RetainedAfterSeconds:        int64(s.retention / time.Second),
			Without:                     s.missingNames(),
			ImplicitOrganizations:       s.implicitOrgs,
			SharedAccount:               s.sharedAccount,
			OrganizationClocks:          true,
			LatencyMs:                   float64(s.latency) / float64(time.Millisecond),
		})
	case r.URL.Path == controlPrefix+"clock" && r.Method == http.MethodGet:
		out, e := s.readClock(r)
		if e != nil {
			return reply(e.status, controlError{Message: e.message})
		}
		return reply(http.StatusOK, out)
	case r.URL.Path == controlPrefix+"clock" && r.Method == http.MethodPost:
		out, e := s.moveClock(r)
		if e != nil {
			return reply(e.status, controlError{Message: e.message})
		}
		return reply(http.StatusOK, out)
	}
	return reply(http.StatusNotFound, controlError{Message: "no control endpoint " + r.Method + " " + r.URL.Path +
		" (GET " + controlPrefix + "info, GET|POST " + controlPrefix + "clock[?organization=ID])"})
}

// maxEpoch is the latest time set accepts: the end of year 9999.
const maxEpoch = 253402300799.0

// unknownOrganization is the 404 of a clock request naming an organization
// the target does not know (or no longer retains anything of).
func unknownOrganization(id string) *clockError {
	return &clockError{http.StatusNotFound, "no organization " + id + " (unknown, or deleted and none of its handshakes retained)"}
}

// readClock answers GET /_orgconform/clock: the target clock, or with
// ?organization=ID that organization's.
func (s *Server) readClock(r *http.Request) (clockResponse, *clockError) {
	q := r.URL.Query()
	for name := range q {
		if name != "organization" {
			return clockResponse{}, &clockError{http.StatusBadRequest, "unknown query parameter " + name + " (only organization)"}
		}
	}
	if !q.Has("organization") {
		return clockResponse{Now: epochSeconds(s.clock.now())}, nil
	}
	id := q.Get("organization")
	if id == "" {
		return clockResponse{}, &clockError{http.StatusBadRequest, "organization must be an organization id (o-...)"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.clockOf(id)
	if !ok {
		return clockResponse{}, unknownOrganization(id)
	}
	return clockResponse{Now: epochSeconds(k.at(s.clock.now())), Organization: id}, nil
}

// maxAdvance is the largest advance_seconds: 100 years.
const maxAdvance = 100 * 365 * 24 * 3600

// moveClock applies a POST /_orgconform/clock body. Clocks only move
// forward. Without "organization" it moves the target clock, on which
// every organization's clock builds (the runner never does this: it would
// expire the handshakes of every other client of a shared target); with
// it, only that organization's.
func (s *Server) moveClock(r *http.Request) (clockResponse, *clockError) {
	bad := func(msg string) (clockResponse, *clockError) {
		return clockResponse{}, &clockError{http.StatusBadRequest, msg}
	}
	var req clockRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return bad("the body must be {\"advance_seconds\": N} or {\"set\": epochSeconds}, with an optional \"organization\": ID: " + err.Error())
	}
	var advance time.Duration
	var set time.Time
	switch {
	case (req.AdvanceSeconds == nil) == (req.Set == nil):
		return bad("give exactly one of advance_seconds and set")
	case req.AdvanceSeconds != nil:
		n := *req.AdvanceSeconds
		if n < 0 || math.IsInf(n, 0) || n > maxAdvance {
			return bad("advance_seconds must be between 0 and 100 years")
		}
		advance = time.Duration(n * float64(time.Second))
	default:
		sec := *req.Set
		if math.IsNaN(sec) || sec < 0 || sec > maxEpoch {
			return bad(fmt.Sprintf("set must be epoch seconds between 0 and %d (year 9999)", int64(maxEpoch)))
		}
		set = time.UnixMilli(int64(math.Round(sec * 1000)))
	}
	if req.Organization != nil && *req.Organization == "" {
		return bad("organization must be an organization id (o-...)")
	}
	// Take the state lock so that no operation sees a clock move mid-call.
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.Organization == nil {
		if req.AdvanceSeconds != nil {
			return clockResponse{Now: epochSeconds(s.clock.advance(advance))}, nil
		}
		now, ok := s.clock.set(set)
		if !ok {
			return bad("set must not be before now (the clock only moves forward)")
		}
		return clockResponse{Now: epochSeconds(now)}, nil
	}
	id := *req.Organization
	k, ok := s.clockOf(id)
	if !ok {
		return clockResponse{}, unknownOrganization(id)
	}
	now := s.clock.now()
	if req.AdvanceSeconds != nil {
		return clockResponse{Now: epochSeconds(k.advance(now, advance)), Organization: id}, nil
	}
	t, ok := k.set(now, set)
	if !ok {
		return bad("set must not be before the organization's now (its clock only moves forward)")
	}
	return clockResponse{Now: epochSeconds(t), Organization: id}, nil
}
