package fuzz

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"pgregory.net/rapid"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/oracle"
)

// linearNeeds are the principals of one example of the linearizability
// property: two organizations' management accounts and one account both
// invite.
var linearNeeds = fixture.Need{fixture.Management: 2, fixture.Recipient: 1}

// linearizable is the concurrency property: one account is invited by one
// organization or two; then two to four calls on those invitations and
// that account — accepts, declines, cancels, reads — by different
// principals are sent at once, and the answers, with the state read back
// afterwards, must be explainable by some order of the calls, each judged
// by package oracle (a linearizable history, checked with
// github.com/anishathalye/porcupine). A failure shows the shortest such
// history rapid found, as a timeline.
func linearizable(t *check.T) {
	if t.Fixed() {
		t.SkipCause("the property needs fresh accounts", "the linearizability property needs fresh accounts for every example; a target file's accounts keep their history")
	}
	t.Property(func(rt *rapid.T, rec *check.Recorder) { linearExample(t, rt, rec) })
}

// linCall is one call of a concurrent history.
type linCall struct {
	op     string
	hs     int      // index of the handshake (read ops on the organization: -1)
	caller *account // who calls
	label  string   // e.g. "RECIPIENT_1 AcceptHandshake H1"
}

// linAnswer is what a call got.
type linAnswer struct {
	a   oracle.Answer
	org string // DescribeOrganization: the organization id answered
}

// linState is the model's state: each handshake's state and the
// organization the account belongs to ("" for none).
type linState struct {
	hs  [2]string
	org string
}

func linearExample(t *check.T, rt *rapid.T, rec *check.Recorder) {
	m := bareMachine(t, rec)
	m.mgmt = m.account(fixture.Management)
	m.other = m.account(fixture.Management)
	x := m.account(fixture.Recipient)
	orgs := []*org{m.organization(m.mgmt, fixture.AllFeatures)}
	if rapid.Bool().Draw(rt, "a second organization invites too") {
		orgs = append(orgs, m.organization(m.other, fixture.AllFeatures))
	}
	for _, o := range orgs {
		name := m.nextName("H")
		r := m.send(rt, o.mgmt, "InviteAccountToOrganization", map[string]any{"Target": map[string]string{"Type": "ACCOUNT", "Id": x.p.AccountID}},
			fmt.Sprintf("%s invites %s", o.mgmt.name, x.name), name+"=Handshake.Id")
		m.expect(rt, r, oracle.Expectation{Success: true, Source: "model: InviteAccountToOrganization"}, "InviteAccountToOrganization")
		hh := m.handshake(rt, r)
		if !slices.Contains(contract.Lifecycle.InitialStateSet("INVITE"), hh.State) {
			m.fail(rt, "InviteAccountToOrganization", fmt.Sprintf("a new INVITE handshake in state %v", contract.Lifecycle.InitialStateSet("INVITE")), "state "+hh.State, "")
		}
		m.add(&handshake{id: hh.Id, name: name, action: "INVITE", org: o, recipient: x, states: []string{hh.State}})
	}
	callers := []*account{x, m.mgmt, m.other}
	ops := []string{"AcceptHandshake", "DeclineHandshake", "CancelHandshake", "DescribeHandshake"}
	call := rapid.Custom(func(rt *rapid.T) linCall {
		return linCall{op: rapid.SampledFrom(ops).Draw(rt, "operation"), hs: rapid.IntRange(0, len(m.w.hs)-1).Draw(rt, "handshake"),
			caller: rapid.SampledFrom(callers).Draw(rt, "caller")}
	})
	calls := rapid.SliceOfN(call, 2, 4).Draw(rt, "concurrent calls")
	for _, c := range calls {
		if !m.has(c.op) {
			rt.Skip(c.op + " is not implemented")
		}
	}
	// Read back afterwards: every handshake as its sender, and the
	// account's organization.
	var after []linCall
	if m.has("DescribeHandshake") {
		for i, h := range m.w.hs {
			after = append(after, linCall{op: "DescribeHandshake", hs: i, caller: h.org.mgmt})
		}
	}
	if m.has("DescribeOrganization") && !m.implicit { // there, it would make x an organization
		after = append(after, linCall{op: "DescribeOrganization", hs: -1, caller: x})
	}
	for i := range calls {
		calls[i].label = m.label(calls[i])
	}
	for i := range after {
		after[i].label = m.label(after[i])
	}
	var initial []string // each invitation's state as InviteAccountToOrganization answered
	for _, h := range m.w.hs {
		initial = append(initial, h.states[0])
	}
	start := time.Now()
	history := m.runConcurrently(calls, start)
	for _, c := range after {
		history = append(history, m.runOne(c, len(history), start))
	}
	for _, op := range history {
		c := op.Input.(linCall)
		h := m.hsOf(c)
		if h != nil && op.Output.(linAnswer).a.Success && c.op != "DescribeHandshake" {
			h.states = nil // the cleanup cancels whatever is open
			h.widen("OPEN", "ACCEPTED")
		}
		if c.op == "AcceptHandshake" && op.Output.(linAnswer).a.Success && h != nil {
			x.org = h.org // so that the cleanup removes it
		}
	}
	res, _ := porcupine.CheckOperationsVerbose(m.linModel(x, initial), history, 5*time.Second)
	if res == porcupine.Illegal {
		// rapid's message names the calls only: which of two racing calls
		// wins varies from run to run, and rapid shrinks only towards
		// failures with the same message. The answers are in the timeline.
		rec.Explain("the history, as a timeline (sent → answered):\n" + timeline(history))
		var concurrent []string
		for _, c := range calls {
			concurrent = append(concurrent, m.label(c))
		}
		m.fail(rt, "the answers fit no order of the calls (not linearizable)", "some order of the calls that explains every answer",
			"calls sent at once: "+strings.Join(concurrent, "; ")+" (the timeline below shows the answers)", "the transition table (specs/transitions.json), each call atomic")
	}
}

// label names a call for timelines and steps.
func (m *machine) label(c linCall) string {
	if c.hs < 0 {
		return c.caller.name + " " + c.op
	}
	h := m.w.hs[c.hs]
	return fmt.Sprintf("%s (%s) %s %s", c.caller.name, role(c.caller, h), c.op, h.name)
}

// hsOf is the handshake a call names, if any.
func (m *machine) hsOf(c linCall) *handshake {
	if c.hs < 0 || c.hs >= len(m.w.hs) {
		return nil
	}
	return m.w.hs[c.hs]
}

// body is the request of a call.
func (m *machine) bodyOf(c linCall) []byte {
	if h := m.hsOf(c); h != nil {
		return jsonOf(map[string]string{"HandshakeId": h.id})
	}
	return []byte("{}")
}

// runConcurrently sends the calls at once and returns them as a history,
// each with when it was sent and when it was answered.
func (m *machine) runConcurrently(calls []linCall, start time.Time) []porcupine.Operation {
	ops := make([]porcupine.Operation, len(calls))
	sends := make([]func(context.Context) *endpoint.Response, len(calls))
	gate := make(chan struct{})
	ready := make(chan struct{}, len(calls))
	for i, c := range calls {
		sends[i] = func(ctx context.Context) *endpoint.Response {
			ready <- struct{}{}
			<-gate
			called := time.Since(start).Nanoseconds()
			r := m.t.Target().Raw(ctx, c.caller.p, c.op, m.bodyOf(c))
			ops[i] = porcupine.Operation{ClientId: i, Input: c, Call: called, Return: time.Since(start).Nanoseconds()}
			return r
		}
	}
	go func() {
		for range calls {
			<-ready
		}
		close(gate)
	}()
	answers := m.t.DoAll(calls[0].op, sends...)
	for i, r := range answers {
		ops[i].Output = m.answerOf(calls[i], r)
		m.rec.Step(fmt.Sprintf("at once #%d: %s", i+1, calls[i].label), r, m.cli(calls[i].caller, calls[i].op, m.bodyOf(calls[i]), "")+" &")
	}
	m.rec.Step("the concurrent calls are answered", nil, "wait")
	return ops
}

// runOne sends one call after the concurrent ones.
func (m *machine) runOne(c linCall, client int, start time.Time) porcupine.Operation {
	called := time.Since(start).Nanoseconds()
	r := m.t.Send(c.caller.p, c.op, m.bodyOf(c))
	ret := time.Since(start).Nanoseconds()
	m.rec.Step("then: "+c.label, r, m.cli(c.caller, c.op, m.bodyOf(c), ""))
	return porcupine.Operation{ClientId: client, Input: c, Call: called, Output: m.answerOf(c, r), Return: ret}
}

// answerOf is the part of an answer the model judges.
func (m *machine) answerOf(c linCall, r *endpoint.Response) linAnswer {
	out := linAnswer{a: answerOf(r)}
	if c.op == "DescribeOrganization" && r.OK() {
		var body struct{ Organization struct{ Id string } }
		_ = json.Unmarshal(r.Body, &body)
		out.org = body.Organization.Id
	}
	if c.op == "DescribeHandshake" && r.OK() {
		if hh, err := oracle.DecodeHandshake(r.Body); err == nil && hh.Id != m.w.hs[c.hs].id {
			out.a.State = "(another handshake: " + hh.Id + ")"
		}
	}
	return out
}

// linModel is the porcupine model of the calls: each judged by the same
// oracle as every other property, from each state the model may be in.
func (m *machine) linModel(x *account, initial []string) porcupine.Model {
	orgIndex := func(o *org) string { return o.id }
	nm := porcupine.NondeterministicModel{
		Init: func() []any {
			s := linState{org: ""}
			copy(s.hs[:], initial)
			return []any{s}
		},
		Step: func(state, input, output any) []any {
			s, c, a := state.(linState), input.(linCall), output.(linAnswer)
			if oracle.Judge(oracle.Expectation{Common: []string{oracle.CatThrottle, oracle.CatInternal}}, a.a).Pass {
				return []any{s} // throttled or failed inside: no effect assumed
			}
			if a.a.Code == "ConcurrentModificationException" && oracle.Documented(c.op, a.a.Code, nil) {
				// The call met another in progress and took no effect (the
				// model's documentation of the exception): allowed in any
				// state, as a call that does nothing.
				return []any{s}
			}
			switch c.op {
			case "DescribeOrganization":
				if a.a.Success && s.org != "" && a.org == s.org {
					return []any{s}
				}
				if !a.a.Success && s.org == "" && oracle.Judge(oracle.NotInUse, a.a).Pass {
					return []any{s}
				}
				return nil
			case "DescribeHandshake":
				h := m.w.hs[c.hs]
				e, _ := oracle.Read(c.op, h.action, role(c.caller, h))
				if !oracle.Judge(e, a.a).Pass || (a.a.Success && a.a.State != s.hs[c.hs]) {
					return nil
				}
				return []any{s}
			}
			h := m.w.hs[c.hs]
			rl := role(c.caller, h) // the management accounts' and the invitee's roles never change
			away := 0
			if c.caller == x && s.org != "" && s.org != orgIndex(h.org) {
				away = 1
			}
			j := judgeStates(h.action, []string{s.hs[c.hs]}, c.op, rl, away, a.a)
			if !j.pass {
				return nil
			}
			var out []any
			for _, st := range j.states {
				n := s
				n.hs[c.hs] = st
				if st == "ACCEPTED" && s.hs[c.hs] != "ACCEPTED" && h.action == "INVITE" {
					n.org = orgIndex(h.org)
				}
				out = append(out, n)
			}
			return out
		},
		DescribeOperation: func(input, output any) string {
			c, a := input.(linCall), output.(linAnswer)
			return c.label + " → " + a.a.Summary
		},
	}
	return nm.ToModel()
}

// timeline draws a history: one line per call, in the order sent, with a
// bar from when it was sent to when it was answered, and the answer.
func timeline(history []porcupine.Operation) string {
	if len(history) == 0 {
		return ""
	}
	ops := append([]porcupine.Operation(nil), history...)
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Call < ops[j].Call })
	t0, t1 := ops[0].Call, ops[0].Return
	for _, op := range ops {
		t0, t1 = min(t0, op.Call), max(t1, op.Return)
	}
	const width = 40
	span := max(t1-t0, 1)
	col := func(at int64) int { return int((at - t0) * (width - 1) / span) }
	var b strings.Builder
	for _, op := range ops {
		from, to := col(op.Call), col(op.Return)
		bar := []byte(strings.Repeat(" ", width))
		for k := from; k <= to && k < width; k++ {
			bar[k] = '='
		}
		if to = min(to, width-1); to > from {
			bar[from], bar[to] = '[', ']'
		} else {
			bar[from] = '|'
		}
		c := op.Input.(linCall)
		fmt.Fprintf(&b, "  %7.2fms |%s| %s → %s\n", float64(op.Call-t0)/1e6, bar, c.label, outcome(op.Output.(linAnswer)))
	}
	return strings.TrimRight(b.String(), "\n")
}

// outcome is an answer in a few words: the state or organization a success
// shows, or the error code.
func outcome(a linAnswer) string {
	switch {
	case a.org != "":
		return "success, organization " + a.org
	case a.a.Success && a.a.State != "":
		return "success, " + a.a.State
	case a.a.Success:
		return "success"
	case a.a.Code != "":
		return a.a.Code
	}
	return a.a.Summary
}
