package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
)

// planted is a fault planted in front of a correct target, the way
// emulator authors get AcceptHandshake wrong. The full catalogue lives with
// the reference target; these three are enough to show that partial modes
// do not blind the checks to a broken AcceptHandshake.
type planted string

const (
	// acceptTwice: accepting an already accepted handshake succeeds again
	// (the emulator sets the state without looking at it), answering as
	// the first accept did.
	acceptTwice planted = "accept-twice"
	// malformedNotFound: a malformed HandshakeId is looked up anyway and
	// answered HandshakeNotFoundException instead of InvalidInputException.
	malformedNotFound planted = "malformed-not-found"
	// nonPartyAccepts: the emulator never asks who is calling, so anybody
	// accepts an invitation (the invited account joins).
	nonPartyAccepts planted = "non-party-accepts"
)

// allPlanted are the faults, one per way of getting AcceptHandshake wrong.
var allPlanted = []planted{acceptTwice, malformedNotFound, nonPartyAccepts}

// withFaults wraps inner (a reference target) with faults. Each fault
// rewrites only AcceptHandshake answers; the rewritten answer is one the
// inner target itself gives to another request, so its wire form stays
// the target's own.
func withFaults(inner http.Handler, faults ...planted) http.Handler {
	on := map[planted]bool{}
	for _, f := range faults {
		on[f] = true
	}
	f := &faulty{inner: inner, on: on, invited: map[string]string{}, accepted: map[string]answer{}}
	return f
}

type faulty struct {
	inner http.Handler
	on    map[planted]bool

	mu       sync.Mutex
	invited  map[string]string // handshake id → invited account, from invitations seen
	accepted map[string]answer // handshake id → the answer that accepted it
}

// answer is a recorded answer of the inner target.
type answer struct {
	code   int
	header http.Header
	body   []byte
}

func (a answer) errorType() string { return a.header.Get("X-Amzn-Errortype") }

func (f *faulty) call(r *http.Request, body []byte) answer {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	rec := httptest.NewRecorder()
	f.inner.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// as returns r sent by another caller (the reference target takes the
// caller's account from the access key id, LocalStack's convention, and
// does not check signatures).
func as(r *http.Request, account string) *http.Request {
	out := r.Clone(r.Context())
	out.Header.Set("Authorization", credential.ReplaceAllString(r.Header.Get("Authorization"), "${1}"+account+"/"))
	return out
}

var credential = regexp.MustCompile(`(Credential=)[^/]*/`)

func (f *faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSOrganizationsV20161128.")
	a := f.call(r, body)
	switch op {
	case "InviteAccountToOrganization":
		f.remember(a)
	case "AcceptHandshake":
		a = f.accept(r, body, a)
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(a.code)
	_, _ = w.Write(a.body)
}

// remember notes whom an invitation invites.
func (f *faulty) remember(a answer) {
	var out struct {
		Handshake struct {
			Id      string
			Parties []struct{ Id, Type string }
		}
	}
	if a.code != http.StatusOK || json.Unmarshal(a.body, &out) != nil {
		return
	}
	for _, p := range out.Handshake.Parties {
		if p.Type == "ACCOUNT" {
			f.mu.Lock()
			f.invited[out.Handshake.Id] = p.Id
			f.mu.Unlock()
		}
	}
}

// accept rewrites an AcceptHandshake answer as the planted faults say.
func (f *faulty) accept(r *http.Request, body []byte, a answer) answer {
	var in struct{ HandshakeId any }
	_ = json.Unmarshal(body, &in)
	id, isString := in.HandshakeId.(string)
	switch {
	case a.code == http.StatusOK && isString:
		f.mu.Lock()
		f.accepted[id] = a
		f.mu.Unlock()
	case f.on[acceptTwice] && a.errorType() == "HandshakeAlreadyInStateException":
		f.mu.Lock()
		first, ok := f.accepted[id]
		f.mu.Unlock()
		if ok {
			return first
		}
	case f.on[malformedNotFound] && a.errorType() == "InvalidInputException" && isString && id != "":
		// The inner target's own answer to a well-formed id nobody issued.
		return f.call(r, []byte(`{"HandshakeId":"h-nosuchhandshake0"}`))
	case f.on[nonPartyAccepts] && a.errorType() == "HandshakeNotFoundException":
		f.mu.Lock()
		invitee := f.invited[id]
		f.mu.Unlock()
		if invitee != "" {
			return f.call(as(r, invitee), body)
		}
	}
	return a
}
