// Package diff runs the same generated call sequences against two targets
// and reports every step where their answers differ: a differential test
// of one emulator against another (or against the reference target)
// without an oracle. "runner diff A B" wires it.
//
// Each sequence (Generate) is run on each target as one check of the
// check runtime, so that organizations are made by the fixture layer
// (CreateOrganization, or the organization a target makes implicitly),
// principals are minted alike (given targets built with the same seed,
// the same account ids; a fresh seed per run keeps a long-lived target
// from seeing one run's accounts again) and what a sequence leaves behind
// is cleaned up. Ids are
// mapped between the targets by position: each answer's handshake,
// organization and account ids, emails and ARNs are replaced by handles
// numbered in the order they first appear in the sequence's answers, so
// the second handshake one target made is compared with the second the
// other made; the accounts of the sequence's roles are named by role. A
// difference shows the step's request with the same handles, so that one
// handshake has one name throughout.
// Request ids (headers), timestamps, NextTokens and error messages are
// ignored; a success is compared by its whole body, an error by its status,
// code and Reason.
package diff

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
)

// Options tune Run.
type Options struct {
	// Seed draws the sequences (Generate).
	Seed int64
	// Sequences and Steps size the run (defaults 12 and 14).
	Sequences, Steps int
	// Parallel is how many sequences run at once on each target (default 4).
	Parallel int
}

// Difference is one step where the targets' answers differ.
type Difference struct {
	Sequence int    `json:"sequence"`
	Step     int    `json:"step"` // from 1; 0 is the sequence's setup
	Op       string `json:"operation"`
	Role     string `json:"role"`
	Request  string `json:"request"`
	A        string `json:"a"`
	B        string `json:"b"`
}

// Result is a differential run.
type Result struct {
	A, B        string       `json:"-"`
	Seed        int64        `json:"seed"`
	Sequences   int          `json:"sequences"`
	Steps       int          `json:"steps"`
	Compared    int          `json:"compared"` // answers compared
	Differences []Difference `json:"differences"`
}

// Agree reports whether no step differed.
func (r *Result) Agree() bool { return len(r.Differences) == 0 }

// Run runs the sequences of opts against a and b and compares their
// answers step by step.
func Run(ctx context.Context, a, b *endpoint.Target, opts Options) *Result {
	if opts.Sequences <= 0 {
		opts.Sequences = 12
	}
	if opts.Steps <= 0 {
		opts.Steps = 14
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	seqs := Generate(opts.Seed, opts.Sequences, opts.Steps)
	var ta, tb [][]answer
	var wg sync.WaitGroup
	wg.Go(func() { ta = play(ctx, a, seqs, opts.Parallel) })
	wg.Go(func() { tb = play(ctx, b, seqs, opts.Parallel) })
	wg.Wait()
	res := &Result{A: a.Endpoint(), B: b.Endpoint(), Seed: opts.Seed, Sequences: opts.Sequences, Steps: opts.Steps}
	for i, seq := range seqs {
		for j := range max(len(ta[i]), len(tb[i])) {
			x, y := at(ta[i], j), at(tb[i], j)
			res.Compared++
			if x.norm == y.norm {
				continue
			}
			d := Difference{Sequence: seq.Index, Step: j, A: x.norm, B: y.norm, Op: "CreateOrganization", Role: roleManagement, Request: "the sequence's organization"}
			if j > 0 && j <= len(seq.Steps) {
				st := seq.Steps[j-1]
				d.Op, d.Role, d.Request = st.Op, st.Role, requestOf(st, x, y)
			}
			res.Differences = append(res.Differences, d)
		}
	}
	return res
}

// answer is one normalised answer of a step, and the step's request as
// the target was sent it, with the handles of its answers.
type answer struct{ norm, request string }

// requestOf is the request of step st as a difference shows it: with the
// handles of A's answers, and of B's too where they differ (the targets
// answered an earlier step differently, so they number ids differently);
// the step's symbolic form where neither target sent it.
func requestOf(st Step, x, y answer) string {
	switch {
	case st.Op == opAdvance:
		return st.String()
	case x.request == "" && y.request == "":
		return st.Body
	case x.request == "":
		return y.request
	case y.request == "" || y.request == x.request:
		return x.request
	}
	return x.request + " (on B: " + y.request + ")"
}

// at returns the j-th answer, or a marker for a step a target never
// reached (its sequence stopped earlier).
func at(list []answer, j int) answer {
	if j < len(list) {
		return list[j]
	}
	return answer{norm: "(not reached: the sequence stopped before this step)"}
}

// play runs every sequence against tgt as checks of the runtime and
// returns each sequence's answers: the setup (index 0), then one per step.
func play(ctx context.Context, tgt *endpoint.Target, seqs []Sequence, parallel int) [][]answer {
	out := make([][]answer, len(seqs))
	var mu sync.Mutex
	checks := make([]check.Check, len(seqs))
	for i, seq := range seqs {
		checks[i] = check.Check{
			ID: fmt.Sprintf("diff/sequence-%02d", seq.Index), Group: "diff",
			Needs: check.Needs{Principals: map[string]int{fixture.Management: 1, fixture.Recipient: recipients, fixture.Outsider: 1}},
			Run: func(t *check.T) {
				p := &player{t: t, ids: newHandles()}
				defer func() {
					mu.Lock()
					out[i] = p.answers
					mu.Unlock()
				}()
				p.play(seq)
			},
		}
	}
	rep := check.Execute(ctx, tgt, checks, check.Options{Parallel: parallel, Prepare: fixture.Discover})
	for i, r := range rep.Results {
		if r.Status == check.Fail || r.Status == check.Unsupported || r.Status == check.NotRun {
			mu.Lock()
			out[i] = append(out[i], answer{norm: fmt.Sprintf("(the sequence stopped: %s)", oneLine(r.Observed))})
			mu.Unlock()
		}
	}
	return out
}

// player runs one sequence on one target.
type player struct {
	t          *check.T
	ids        *handles
	org        *fixture.Org
	roles      map[string]endpoint.Principal
	handshakes []string // concrete id of the j-th invitation ("" when it was refused)
	answers    []answer
}

// play sets the sequence up and runs its steps.
func (p *player) play(seq Sequence) {
	t := p.t
	p.org = fixture.Organization(t, fixture.AllFeatures)
	p.roles = map[string]endpoint.Principal{roleManagement: p.org.Mgmt, roleOutsider: t.Principal(fixture.Outsider)}
	for k := 1; k <= recipients; k++ {
		r := t.Principal(fixture.Recipient)
		p.roles[recipientRole(k)] = r
		fixture.LeaveLater(t, p.org, r)
	}
	for role, pr := range p.roles {
		p.ids.name(pr.AccountID, "<"+role+">")
	}
	setup := "organization " + p.ids.handle(p.org.ID)
	if p.org.Created != nil {
		setup = p.normalise(p.org.Created)
	}
	p.answers = append(p.answers, answer{norm: setup})
	for _, st := range seq.Steps {
		p.answers = append(p.answers, p.step(st))
	}
}

// step runs one step and returns its normalised answer.
func (p *player) step(st Step) answer {
	t := p.t
	if st.Op == opAdvance {
		if f, _ := t.Session().Caps().Flag(check.FlagClock); !f.On {
			return answer{norm: "(no clock control)"}
		}
		if err := t.Target().AdvanceClock(t.Context(), p.org.ID, st.Advance); err != nil {
			return answer{norm: "(clock control failed: " + oneLine(err.Error()) + ")"}
		}
		return answer{norm: "(clock advanced)"}
	}
	body := p.resolve(st.Body)
	request := p.ids.known(body) // before the answer: an id it shows first is numbered there
	r := t.Send(p.roles[st.Role], st.Op, []byte(body))
	if st.Invites {
		id := ""
		if h, ok := handshakeID(r); ok {
			id = h
			fixture.CancelLater(t, p.org.Mgmt, id)
		}
		p.handshakes = append(p.handshakes, id)
	}
	return answer{norm: p.normalise(r), request: request}
}

// resolve replaces a step body's references with this target's ids. A
// reference to an invitation the target refused becomes a well-formed id
// nobody issued.
func (p *player) resolve(body string) string {
	for k := 1; k <= recipients; k++ {
		body = strings.ReplaceAll(body, "<"+recipientRole(k)+">", p.roles[recipientRole(k)].AccountID)
	}
	for j := range len(p.handshakes) + 4 {
		ref := fmt.Sprintf("<invitation#%d>", j+1)
		if !strings.Contains(body, ref) {
			continue
		}
		id := ""
		if j < len(p.handshakes) {
			id = p.handshakes[j]
		}
		if id == "" {
			id = fmt.Sprintf("h-%010d", j+1) // never issued: the same on both targets
		}
		body = strings.ReplaceAll(body, ref, id)
	}
	return body
}

// oneLine joins s's lines.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
