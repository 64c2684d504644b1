package check

import (
	"encoding/json"
	"sort"
	"sync"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/internal/awserr"
	"github.com/orgconform/orgconform/oracle"
	"github.com/orgconform/orgconform/schemas"
)

// observations keep what the run-wide checks judge, compactly: per
// operation, how many error answers were seen, the first undocumented one
// and the first whose body breaks its schema (with their evidence), per
// error code the first answer's status and members, and how many success
// answers were seen with the first whose body breaks the response schema. Memory is bounded
// by the number of distinct operations and codes, never by the size or the
// number of the target's answers.
type observations struct {
	mu  sync.Mutex
	ops map[string]*opErrors
}

// opErrors is what was observed of one operation's error answers, and of
// its success answers: how many, and the first whose body breaks the
// operation's response schema.
type opErrors struct {
	Count        int
	Undocumented *Observed
	SchemaBroken *Observed
	First        map[string]*Observed // by code

	Successes     int
	SuccessBroken *Observed
}

// Observed is one remembered error answer.
type Observed struct {
	Check    string   // the check that provoked it
	Code     string   // error code
	Status   int      // HTTP status
	Summary  string   // one line
	Problem  string   // what is wrong with it, if anything
	Members  []string // the body's top-level members, sorted
	Exchange string   // the redacted transcript (kept only when it may fail a check)
}

func newObservations() *observations { return &observations{ops: map[string]*opErrors{}} }

// observe records r, an answer to a call that accepts the common-error
// categories common. Answers that show the operation is not implemented,
// and answers without an error code, are not error answers.
func (rs *Session) observe(check string, r *endpoint.Response, common []string) {
	if r.Kind == endpoint.KindSuccess {
		rs.observeSuccess(check, r)
		return
	}
	if r.Kind != endpoint.KindError {
		return
	}
	if ok, _ := r.Unsupported(); ok {
		return
	}
	o := &Observed{Check: check, Code: r.Code, Status: r.Status, Summary: r.Summary(), Members: members(r.Body)}
	documented := oracle.Documented(r.Op, r.Code, common)
	var schemaErr string
	switch {
	case r.TooLarge():
		schemaErr = "the body is larger than the read limit, so its schema could not be checked"
	default:
		if err := schemas.ValidateError(r.Code, withType(r.Body, r.Code)); err != nil {
			schemaErr = err.Error()
		}
	}
	rs.obs.mu.Lock()
	defer rs.obs.mu.Unlock()
	oe := rs.obs.opsFor(r.Op)
	oe.Count++
	if _, ok := oe.First[r.Code]; !ok {
		oe.First[r.Code] = o
	}
	withEvidence := func(problem string) *Observed {
		c := *o
		c.Problem = problem
		if r.Exchange != nil {
			c.Exchange = rs.tgt.Redact(r.Exchange.String())
		}
		return &c
	}
	if !documented && oe.Undocumented == nil {
		oe.Undocumented = withEvidence(r.Code + " is not documented for " + r.Op)
	}
	if schemaErr != "" && oe.SchemaBroken == nil {
		oe.SchemaBroken = withEvidence(schemaErr)
	}
}

// observeSuccess records a success answer of r.Op and checks its body
// against the operation's response schema; the first that breaks it is
// kept with its evidence.
func (rs *Session) observeSuccess(check string, r *endpoint.Response) {
	if r.Op == "" || r.Truncated {
		return
	}
	err := schemas.ValidateResponse(r.Op, r.Body)
	rs.obs.mu.Lock()
	defer rs.obs.mu.Unlock()
	oe := rs.obs.opsFor(r.Op)
	oe.Successes++
	if err == nil || oe.SuccessBroken != nil {
		return
	}
	o := &Observed{Check: check, Status: r.Status, Summary: r.Summary(), Members: members(r.Body), Problem: err.Error()}
	if r.Exchange != nil {
		o.Exchange = rs.tgt.Redact(r.Exchange.String())
	}
	oe.SuccessBroken = o
}

// opsFor returns the record of op, creating it; obs.mu is held.
func (o *observations) opsFor(op string) *opErrors {
	oe := o.ops[op]
	if oe == nil {
		oe = &opErrors{First: map[string]*Observed{}}
		o.ops[op] = oe
	}
	return oe
}

// SuccessesSeen returns how many success answers of op the run observed
// and the first whose body broke op's response schema.
func (rs *Session) SuccessesSeen(op string) (count int, schemaBroken *Observed) {
	rs.obs.mu.Lock()
	defer rs.obs.mu.Unlock()
	oe := rs.obs.ops[op]
	if oe == nil {
		return 0, nil
	}
	return oe.Successes, oe.SuccessBroken
}

// ErrorsSeen returns what the run observed of op's error answers: how
// many, the first undocumented one and the first that broke its schema.
func (rs *Session) ErrorsSeen(op string) (count int, undocumented, schemaBroken *Observed) {
	rs.obs.mu.Lock()
	defer rs.obs.mu.Unlock()
	oe := rs.obs.ops[op]
	if oe == nil {
		return 0, nil, nil
	}
	return oe.Count, oe.Undocumented, oe.SchemaBroken
}

// FirstError returns the first error answer of op with code seen in the
// run, if any.
func (rs *Session) FirstError(op, code string) (*Observed, bool) {
	rs.obs.mu.Lock()
	defer rs.obs.mu.Unlock()
	if oe := rs.obs.ops[op]; oe != nil {
		o, ok := oe.First[code]
		return o, ok
	}
	return nil, false
}

// members returns the sorted top-level member names of a JSON object body.
func members(body []byte) []string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// withType adds "__type" to an error body that carries its code only in
// the X-Amzn-ErrorType header, which awsJson1_1 clients accept as well.
func withType(body []byte, code string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || m == nil {
		return body
	}
	if t, ok := m["__type"]; ok {
		var s string
		if json.Unmarshal(t, &s) == nil && awserr.Bare(s) != "" {
			return body
		}
	}
	if code == "" {
		return body
	}
	m["__type"], _ = json.Marshal(code)
	out, _ := json.Marshal(m)
	return out
}

// WithType returns an error body as awsJson1_1 clients read it: with
// "__type" set to code when the body names no type (the target sent the
// code only in the X-Amzn-ErrorType header), so that it can be checked
// against the exception's schema.
func WithType(body []byte, code string) []byte { return withType(body, code) }
