package reftarget

import (
	"iter"
	"slices"
	"time"
)

// Memory. The target keeps what AWS keeps — a closed handshake for 30 days
// after it closed, by its organization's clock — and releases it after:
// every API request that reaches its operation runs one sweep step, which
// examines the next sweepBatch handshakes of the log in creation order and
// releases those past their retention (from the id index, the invitation
// index, the log, their all-features family and their organization's
// clock, and the clock itself once a deleted organization has nothing
// left). A pass over the whole log thus takes len/sweepBatch requests, and
// no request does more than sweepBatch examinations. Go maps never give
// memory back, so the indexes are shrinkingMaps, which a pass rebuilds
// entry by entry once they have fallen to a quarter of their peak; the
// log's array is replaced the same way.

// sweepBatch is how many handshakes one API request examines.
const sweepBatch = 8

// sweep runs one sweep step at now, under Server.mu.
func (s *Server) sweep(now time.Time) {
	st := s.st
	for range sweepBatch {
		h, ok := st.log.next()
		if !ok {
			st.handshakes.endShrink()
			st.invites.endShrink()
			st.retired.endShrink()
			st.log.restart()
			st.handshakes.beginShrink()
			st.invites.beginShrink()
			st.retired.beginShrink()
			return
		}
		if h.gone(now, s.retention) {
			s.release(h)
			continue
		}
		st.log.keep(h)
		st.handshakes.keepIf(h.id, h)
		if h.action == actionInvite {
			key := inviteKeyOf(h)
			if !live(h.stateAt(now)) {
				// Only an open (or requested) invitation can be a duplicate's reason.
				st.invites.delIf(key, h)
			} else {
				st.invites.keepIf(key, h)
			}
		}
		if h.clock.deleted {
			st.retired.keepIf(h.clock.id, h.clock)
		}
	}
}

// release forgets h, whose retention is over: it is gone everywhere. The
// caller has taken it off the log.
func (s *Server) release(h *handshake) {
	st := s.st
	st.handshakes.delIf(h.id, h)
	if h.action == actionInvite {
		st.invites.delIf(inviteKeyOf(h), h)
	}
	s.releaseFromFamily(h)
	k := h.clock
	k.handshakes--
	if k.deleted {
		if k.handshakes == 0 {
			st.retired.delIf(k.id, k)
		}
		return
	}
	// A live organization's list of what it sent drops released entries
	// once they are half of it (amortised over the releases), and all of
	// them when it has nothing retained.
	if k.handshakes == 0 {
		k.sent = nil
		return
	}
	if len(k.sent) > 2*k.handshakes+8 {
		k.sent = slices.DeleteFunc(k.sent, func(x *handshake) bool {
			cur, ok := st.handshakes.get(x.id)
			return !ok || cur != x
		})
		if cap(k.sent) > 4*len(k.sent)+8 {
			k.sent = slices.Clone(k.sent)
		}
	}
}

// handshakeLog is every retained handshake in creation order, as the
// lists need them, with the sweep's place in its current pass: done holds
// what this pass examined and kept, todo what it has not examined yet (new
// handshakes join todo). done may share todo's array, behind todo's start.
type handshakeLog struct {
	done []*handshake
	todo []*handshake
}

// add appends a new handshake.
func (l *handshakeLog) add(h *handshake) { l.todo = append(l.todo, h) }

// all yields the handshakes in creation order.
func (l *handshakeLog) all() iter.Seq[*handshake] {
	return func(yield func(*handshake) bool) {
		for _, part := range [2][]*handshake{l.done, l.todo} {
			for _, h := range part {
				if !yield(h) {
					return
				}
			}
		}
	}
}

// len is the number of handshakes in the log.
func (l *handshakeLog) len() int { return len(l.done) + len(l.todo) }

// next takes the next handshake this pass has not examined off the log;
// the sweep puts it back with keep unless it releases it.
func (l *handshakeLog) next() (*handshake, bool) {
	if len(l.todo) == 0 {
		return nil, false
	}
	h := l.todo[0]
	l.todo[0] = nil // the array keeps no released handshake alive
	l.todo = l.todo[1:]
	return h, true
}

// keep puts back the handshake next returned.
func (l *handshakeLog) keep(h *handshake) { l.done = append(l.done, h) }

// restart begins a new pass over what the last one kept. When the array is
// mostly empty, the new pass copies what it keeps into a fresh one of the
// right size, so the old array goes when the pass ends.
func (l *handshakeLog) restart() {
	l.todo = l.done
	if cap(l.done) > 4*len(l.done)+64 {
		l.done = make([]*handshake, 0, len(l.done)+len(l.done)/4)
	} else {
		l.done = l.done[:0]
	}
}

// shrinkingMap is a map that gives memory back. Go maps keep their largest
// size; once this one holds a quarter of its peak, beginShrink starts a
// fresh map, the sweep moves every live entry into it (keepIf) during one
// pass, and endShrink drops the old one. Entries added meanwhile go to the
// fresh map. Every live entry must be kept during a pass: the sweep keeps
// each retained handshake's entries as it examines it.
type shrinkingMap[K comparable, V comparable] struct {
	cur  map[K]V
	old  map[K]V // being emptied into cur during a pass, or nil
	peak int     // the largest size since cur was made
}

// minShrink is the smallest peak worth shrinking from (a variable only so
// that the tests can exercise shrinking with small maps).
var minShrink = 1024

func newShrinkingMap[K comparable, V comparable]() shrinkingMap[K, V] {
	return shrinkingMap[K, V]{cur: map[K]V{}}
}

func (m *shrinkingMap[K, V]) get(k K) (V, bool) {
	if v, ok := m.cur[k]; ok {
		return v, true
	}
	v, ok := m.old[k]
	return v, ok
}

func (m *shrinkingMap[K, V]) put(k K, v V) {
	delete(m.old, k)
	m.cur[k] = v
	m.peak = max(m.peak, m.len())
}

// delIf deletes k if it maps to v.
func (m *shrinkingMap[K, V]) delIf(k K, v V) {
	if cur, ok := m.get(k); ok && cur == v {
		delete(m.cur, k)
		delete(m.old, k)
	}
}

// keepIf moves k into the fresh map during a shrink, if it maps to v.
func (m *shrinkingMap[K, V]) keepIf(k K, v V) {
	if m.old == nil {
		return
	}
	if cur, ok := m.old[k]; ok && cur == v {
		delete(m.old, k)
		m.cur[k] = v
	}
}

func (m *shrinkingMap[K, V]) len() int { return len(m.cur) + len(m.old) }

// beginShrink starts a fresh map when this one has fallen to a quarter of
// its peak.
func (m *shrinkingMap[K, V]) beginShrink() {
	if m.old != nil || m.peak < minShrink || 4*len(m.cur) > m.peak {
		return
	}
	m.old, m.cur, m.peak = m.cur, make(map[K]V, len(m.cur)), len(m.cur)
}

// endShrink drops the old map at the end of a pass, which kept every live
// entry. (Should one have been missed, it is moved now rather than lost.)
func (m *shrinkingMap[K, V]) endShrink() {
	if len(m.old) > 0 {
		for k, v := range m.old {
			m.cur[k] = v
		}
	}
	m.old = nil
}
