package reftarget

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// hooks are the places where a planted fault (Options.Fault) or an
// equivalent variant (Options.Variant) changes what the target does. The
// zero value, and a nil *hooks, is the reference behaviour; every method
// is nil-safe. The catalogue (faults.go) sets them; the handlers consult
// them in one line each, at the spot where an emulator author would have
// written the bug.
type hooks struct {
	// Lifecycle and time.
	neverExpire   bool // a REQUESTED or OPEN handshake never reads as EXPIRED
	expiredGone   bool // an EXPIRED handshake is gone at once (no retention)
	storedState   bool // responses judge the stored state, not the one the clock gives (EXPIRED unseen)
	cancelDeletes bool // a canceled handshake is gone at once
	// state replaces the state check of a response (see Server.refusal);
	// noop reports success with the handshake as it is, changing nothing.
	state func(s *Server, h *handshake, cur string, r response, now time.Time) (e *apiError, noop bool)

	// Who may see and call what.
	anyoneMay      map[string]bool // operations whose handshake lookup skips the party check (any caller finds any handshake)
	memberMay      map[string]bool // management-only operations any member of the organization may call
	nonPartyDenied bool            // a caller who is no party to an existing handshake gets AccessDeniedException
	listAll        bool            // ListHandshakesForAccount lists every handshake of the target

	// Side effects.
	joinFirstOrg      bool            // accepting an invitation joins the first organization the target ever created
	moveMember        bool            // an account in another organization leaves it to accept
	masterCannotLeave bool            // an invited account that manages an organization gets MasterCannotLeaveOrganizationException
	duplicateAccounts bool            // ListAccounts lists every INVITED member twice
	staleLists        map[string]bool // list operations that show each handshake in its initial state
	allowDuplicates   bool            // a second open invitation of the same account is sent
	renderBefore      bool            // AcceptHandshake answers the handshake as it was before the call
	// staleReads lists operations whose checks read state as it was up to the
	// given time ago (a replica or cache refreshed that often): a change
	// younger than that is not seen. recent holds, by handshake id, the
	// state before its last change and when it was made, and the wall time
	// invitations were recorded (guarded by Server.mu).
	staleReads map[string]time.Duration
	recent     map[string]change
	// racy lists operations that leave the state lock for the given time
	// between their check and their change; with busy, a call that meets a
	// handshake another call is changing is ConcurrentModificationException
	// (optimistic locking); changing holds those handshakes' ids (guarded by
	// Server.mu).
	racy     map[string]time.Duration
	busy     bool
	changing map[string]bool

	// Errors.
	rename func(e *apiError) // changes an error's type, reason or message before it is written
	// errorForm writes an error document in another wire form; nil writes
	// the reference form (writeError).
	errorForm func(w http.ResponseWriter, e *apiError)

	// Protocol.
	crash               map[string]bool // operations that answer an HTML 500 page
	noRequestID         bool            // no x-amzn-RequestId header at all
	noErrorRequestID    bool            // no x-amzn-RequestId header on errors
	contentType         string          // the Content-Type of success answers ("" : application/x-amz-json-1.1)
	unknownOperation    func(w http.ResponseWriter) bool
	unsigned            bool // a request without Authorization is served as the default account
	tooLarge            func(w http.ResponseWriter) bool
	maxBody             int64 // the largest body read, when not maxBodyBytes
	nullInternalFailure bool  // a null HandshakeId makes the handler fail (500 InternalFailure)

	// body rewrites the JSON body of every API answer as it leaves the
	// target (success and error); status is the answer's HTTP status.
	body func(status int, body []byte) []byte
}

// neverExpires, expiredIsGone and the like read one hook, false on nil.
func (k *hooks) neverExpires() bool    { return k != nil && k.neverExpire }
func (k *hooks) expiredIsGone() bool   { return k != nil && k.expiredGone }
func (k *hooks) judgesStored() bool    { return k != nil && k.storedState }
func (k *hooks) deletesCanceled() bool { return k != nil && k.cancelDeletes }

// anyone reports whether op finds a handshake whoever calls it.
func (k *hooks) anyone(op string) bool { return k != nil && k.anyoneMay[op] }

// member reports whether any member may call the management-only op.
func (k *hooks) member(op string) bool { return k != nil && k.memberMay[op] }

// stale reports whether list op shows handshakes in their initial state.
func (k *hooks) stale(op string) bool { return k != nil && k.staleLists[op] }

// change is what a stale read does not see yet: a handshake's state before
// its last change (prior, "" for a new invitation) and the wall time of
// the change.
type change struct {
	prior string
	at    time.Time
}

// staleState returns the state a stale read of op sees for h, whose
// current state is cur.
func (s *Server) staleState(op string, h *handshake, cur string) string {
	if s.hooks == nil || s.hooks.staleReads[op] == 0 {
		return cur
	}
	if ch, ok := s.hooks.recent[h.id]; ok && ch.prior != "" && time.Since(ch.at) < s.hooks.staleReads[op] {
		return ch.prior
	}
	return cur
}

// unseen reports whether a stale read of op misses h, recorded less than
// the staleness ago.
func (s *Server) unseen(op string, h *handshake) bool {
	if s.hooks == nil || s.hooks.staleReads[op] == 0 {
		return false
	}
	ch, ok := s.hooks.recent[h.id]
	return ok && ch.prior == "" && time.Since(ch.at) < s.hooks.staleReads[op]
}

// noteChange records, where reads are stale, that h changed from prior
// ("" for a new handshake) just now.
func (s *Server) noteChange(h *handshake, prior string) {
	if s.hooks == nil || len(s.hooks.staleReads) == 0 {
		return
	}
	if s.hooks.recent == nil {
		s.hooks.recent = map[string]change{}
	}
	s.hooks.recent[h.id] = change{prior: prior, at: time.Now()}
}

// raceWindow is how long op leaves the state lock between its check and
// its change (0: it does not).
func (k *hooks) raceWindow(op string) time.Duration {
	if k == nil {
		return 0
	}
	return k.racy[op]
}

// answer is an API answer on its way out, for the rewriting hooks.
type answer struct {
	status int
	header http.Header
	body   bytes.Buffer
}

func (a *answer) Header() http.Header         { return a.header }
func (a *answer) Write(b []byte) (int, error) { return a.body.Write(b) }
func (a *answer) WriteHeader(status int)      { a.status = status }

// rewriting returns the writer an API answer goes to and the function that
// sends it on to w, through the body hook; without one, w itself.
func (s *Server) rewriting(w http.ResponseWriter) (http.ResponseWriter, func()) {
	if s.hooks == nil || s.hooks.body == nil {
		return w, func() {}
	}
	a := &answer{status: http.StatusOK, header: w.Header()}
	return a, func() {
		body := a.body.Bytes()
		if json.Valid(body) {
			body = s.hooks.body(a.status, body)
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(body)
	}
}

// busy reports whether another call is changing h (only where a variant
// makes the target lock optimistically).
func (s *Server) busy(h *handshake, c *call) bool {
	return s.hooks != nil && s.hooks.busy && s.hooks.changing[h.id]
}

// raceWindow leaves the state lock, which the caller holds, for the time a
// planted fault gives c's operation between its check and its change, so
// that a simultaneous call passes the same check. With optimistic locking
// (busy) h is marked as being changed meanwhile.
func (s *Server) raceWindow(c *call, h *handshake) {
	d := s.hooks.raceWindow(c.op)
	if d == 0 {
		return
	}
	if h != nil && s.hooks.busy {
		if s.hooks.changing == nil {
			s.hooks.changing = map[string]bool{}
		}
		s.hooks.changing[h.id] = true
		defer delete(s.hooks.changing, h.id)
	}
	s.mu.Unlock()
	time.Sleep(d)
	s.mu.Lock()
}
