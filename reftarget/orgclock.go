package reftarget

import (
	"time"
)

// orgClock is an organization's own clock: the target clock (call.now,
// which the unscoped POST /_orgconform/clock moves) plus an offset that only
// the scoped form, POST /_orgconform/clock {"organization": id, ...}, moves.
// So one client of a shared target can expire its own organization's
// handshakes without touching anyone else's.
//
// Everything an organization stamps — its handshakes' RequestedTimestamp,
// ExpirationTimestamp and close time, its accounts' JoinedTimestamp — is in
// its own time, and a handshake is always judged (expired? past retention?)
// by its sending organization's clock, whoever reads it. The clock outlives
// its organization while any of the organization's handshakes are retained
// (Server.retired).
//
// Its fields are guarded by Server.mu.
type orgClock struct {
	id         string        // the organization's id
	offset     time.Duration // ahead of the target clock; only grows
	handshakes int           // handshakes of the organization still retained
	deleted    bool          // the organization is deleted (the clock is in state.retired)
	sent       []*handshake  // while it lives, what it sent, in order (some maybe released, see release)
	hooks      *hooks        // the server's planted fault, if any (read by the handshakes' clock-driven methods)
}

// at returns the organization's time when the target clock reads now.
func (k *orgClock) at(now time.Time) time.Time {
	return now.Add(k.offset)
}

// advance moves the organization's clock forward by d (>= 0), to the
// millisecond, and returns its new time at now.
func (k *orgClock) advance(now time.Time, d time.Duration) time.Time {
	k.offset += d.Round(time.Millisecond)
	return k.at(now)
}

// set moves the organization's clock to t, which must not be before its
// time at now; it returns its time afterwards and whether it moved.
func (k *orgClock) set(now, t time.Time) (time.Time, bool) {
	cur := k.at(now)
	if t.Before(cur) {
		return cur, false
	}
	k.offset += t.Sub(cur)
	return k.at(now), true
}

// clockOf returns the clock of organization id: a live organization's, or
// a deleted one's whose handshakes are still retained. It is called under
// Server.mu.
func (s *Server) clockOf(id string) (*orgClock, bool) {
	if org, ok := s.st.orgs[id]; ok {
		return org.clock, true
	}
	return s.st.retired.get(id)
}

// retire keeps a deleted organization's clock while its handshakes are
// retained, and forgets it otherwise.
func (s *Server) retire(k *orgClock) {
	k.deleted, k.sent = true, nil
	if k.handshakes > 0 {
		s.st.retired.put(k.id, k)
	}
}

// remember records a new handshake: in the id index, the log and its
// organization's list.
func (s *Server) remember(h *handshake) {
	s.st.handshakes.put(h.id, h)
	s.st.log.add(h)
	h.clock.handshakes++
	h.clock.sent = append(h.clock.sent, h)
}
