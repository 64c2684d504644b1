package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/oracle"
)

// goldenChecks compare live bodies with the documented ones in golden/,
// after normalisation (placeholders for ids, ARNs, timestamps, account ids
// and emails; free text masked): for every sample of every operation, a
// scenario that reproduces the sample's situation on the target; then every
// AcceptHandshake error body seen in the run.
func goldenChecks() []check.Check {
	var out []check.Check
	for _, sc := range goldenScenes {
		id := "golden/" + sc.op + "/" + sc.stem + "-response"
		out = append(out, check.Check{
			ID: id, Group: "golden", Operation: sc.op,
			Needs: check.Needs{Ops: append([]string{sc.op}, sc.ops...), Principals: sc.need, Invitations: sc.invitations},
			Run:   func(t *check.T) { goldenScene(t, sc) },
		})
	}
	for _, name := range errorNames("AcceptHandshake") {
		out = append(out, check.Check{
			ID: "golden/AcceptHandshake/errors/" + name, Group: "golden", Operation: "AcceptHandshake", After: true,
			Run: func(t *check.T) { goldenError(t, "AcceptHandshake", name) },
		})
	}
	return out
}

func errorNames(op string) []string {
	o, _ := spec.Operation(op)
	return o.ErrorNames()
}

// scene reproduces the situation of one golden sample on the target.
type sampleScene struct {
	op, stem    string
	ops         []string // operations the scene needs besides op
	need        fixture.Need
	invitations int
	// play sets the situation up, makes the call the sample answers and
	// returns the answer with the body to compare (an answer narrowed to
	// the scene's part, for lists on a target with history).
	play func(t *check.T) sampleAnswer
}

// sampleAnswer is the live answer of a scene.
type sampleAnswer struct {
	resp *endpoint.Response
	body []byte
	org  *fixture.Org
}

// answered is a scene's answer compared whole.
func answered(r *endpoint.Response, o *fixture.Org) sampleAnswer {
	return sampleAnswer{resp: r, body: r.Body, org: o}
}

// The operations a scene needs to learn an account's email
// (fixture.AccountEmail) and to make an account a member (fixture.Join).
var (
	emailOps = []string{"InviteAccountToOrganization", "AcceptHandshake", "ListAccounts", "RemoveAccountFromOrganization"}
	joinOps  = []string{"InviteAccountToOrganization", "AcceptHandshake"}
)

// sampleNotes is the Notes of the scenes whose sample has NOTES.
const sampleNotes = "orgconform: an invitation with notes, as the sample shows"

// goldenScenes are the samples' situations, one per sample of golden/.
var goldenScenes = []sampleScene{
	{op: "AcceptHandshake", stem: "sample", ops: emailOps, need: need{fixture.Management: 1, fixture.Recipient: 1}, invitations: 2,
		// The reference sample: an invitation by email, accepted.
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			rec := t.Principal(fixture.Recipient)
			h := fixture.InviteEmail(t, o, fixture.AccountEmail(t, o, rec))
			r := t.Call(rec, "AcceptHandshake", map[string]string{"HandshakeId": h.Id})
			if r.OK() {
				fixture.LeaveLater(t, o, rec)
			}
			return answered(r, o)
		}},
	{op: "CancelHandshake", stem: "sample", ops: emailOps, need: need{fixture.Management: 1, fixture.Recipient: 1}, invitations: 2,
		// An invitation by email with notes from a consolidated-billing
		// organization, canceled by its sender.
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.Billing)
			rec := t.Principal(fixture.Recipient)
			h := inviteWithNotes(t, o, map[string]string{"Type": "EMAIL", "Id": fixture.AccountEmail(t, o, rec)})
			return answered(t.Call(o.Mgmt, "CancelHandshake", map[string]string{"HandshakeId": h.Id}), o)
		}},
	{op: "DeclineHandshake", stem: "sample", ops: []string{"InviteAccountToOrganization"}, need: need{fixture.Management: 1, fixture.Recipient: 1}, invitations: 1,
		// An invitation by account id with notes, declined.
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			rec := t.Principal(fixture.Recipient)
			h := inviteWithNotes(t, o, map[string]string{"Type": "ACCOUNT", "Id": rec.AccountID})
			return answered(t.Call(rec, "DeclineHandshake", map[string]string{"HandshakeId": h.Id}), o)
		}},
	{op: "DescribeHandshake", stem: "sample", ops: []string{"InviteAccountToOrganization"}, need: need{fixture.Management: 1, fixture.Recipient: 1}, invitations: 1,
		// An open invitation by account id, described by its recipient.
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			rec := t.Principal(fixture.Recipient)
			h := fixture.Invite(t, o, rec)
			return answered(t.Call(rec, "DescribeHandshake", map[string]string{"HandshakeId": h.Id}), o)
		}},
	{op: "InviteAccountToOrganization", stem: "sample", ops: emailOps, need: need{fixture.Management: 1, fixture.Recipient: 1}, invitations: 2,
		// An invitation by email.
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			rec := t.Principal(fixture.Recipient)
			_, r := fixture.InviteTarget(t, o, map[string]string{"Type": "EMAIL", "Id": fixture.AccountEmail(t, o, rec)})
			return answered(r, o)
		}},
	{op: "ListHandshakesForAccount", stem: "sample", ops: emailOps, need: need{fixture.Management: 1, fixture.Recipient: 1}, invitations: 2,
		// The recipient of one open invitation by email lists its
		// handshakes.
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			rec := t.Principal(fixture.Recipient)
			h := fixture.InviteEmail(t, o, fixture.AccountEmail(t, o, rec))
			return listed(t, rec, "ListHandshakesForAccount", "Handshakes", o, h.Id)
		}},
	{op: "ListHandshakesForOrganization", stem: "sample", ops: emailOps, need: need{fixture.Management: 1, fixture.Recipient: 1, fixture.Outsider: 1}, invitations: 4,
		// An organization's open invitation by email and its accepted
		// invitation by email with notes (two accounts in no organization:
		// a target file has one of each role).
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			a, b := t.Principal(fixture.Recipient), t.Principal(fixture.Outsider)
			ha := fixture.InviteEmail(t, o, fixture.AccountEmail(t, o, a))
			hb := inviteWithNotes(t, o, map[string]string{"Type": "EMAIL", "Id": fixture.AccountEmail(t, o, b)})
			fixture.Act(t, b, "AcceptHandshake", hb.Id)
			fixture.LeaveLater(t, o, b)
			return listed(t, o.Mgmt, "ListHandshakesForOrganization", "Handshakes", o, ha.Id, hb.Id)
		}},
	{op: "EnableAllFeatures", stem: "sample", ops: joinOps, need: need{fixture.Management: 1, fixture.Member: 1}, invitations: 2,
		// A consolidated-billing organization with an invited member
		// starts enabling all features: the request waits for it.
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.Billing)
			fixture.Join(t, o, t.Principal(fixture.Member))
			r := t.Call(o.Mgmt, "EnableAllFeatures", nil)
			if h, err := oracle.DecodeHandshake(r.Body); r.OK() && err == nil {
				fixture.CancelLater(t, o.Mgmt, h.Id)
			}
			return answered(r, o)
		}},
	{op: "CreateOrganization", stem: "sample", need: need{fixture.Management: 1},
		play: func(t *check.T) sampleAnswer { return created(t, fixture.AllFeatures) }},
	{op: "CreateOrganization", stem: "sample-consolidated-billing", need: need{fixture.Management: 1},
		play: func(t *check.T) sampleAnswer { return created(t, fixture.Billing) }},
	{op: "DescribeOrganization", stem: "sample", need: need{fixture.Management: 1},
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			return answered(t.Call(o.Mgmt, "DescribeOrganization", nil), o)
		}},
	{op: "ListAccounts", stem: "sample", ops: joinOps, need: need{fixture.Management: 1, fixture.Member: 1, fixture.Recipient: 1, fixture.Outsider: 1}, invitations: 3,
		// An organization with three invited members lists its accounts
		// (one account of each other role: a target file has one of each).
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			ids := []string{o.Mgmt.AccountID}
			for _, role := range []string{fixture.Member, fixture.Recipient, fixture.Outsider} {
				m := t.Principal(role)
				fixture.Join(t, o, m)
				ids = append(ids, m.AccountID)
			}
			return listed(t, o.Mgmt, "ListAccounts", "Accounts", o, ids...)
		}},
	{op: "LeaveOrganization", stem: "sample", ops: joinOps, need: need{fixture.Management: 1, fixture.Member: 1}, invitations: 1,
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			m := t.Principal(fixture.Member)
			fixture.Join(t, o, m)
			return answered(t.Call(m, "LeaveOrganization", nil), o)
		}},
	{op: "RemoveAccountFromOrganization", stem: "sample", ops: joinOps, need: need{fixture.Management: 1, fixture.Member: 1}, invitations: 1,
		play: func(t *check.T) sampleAnswer {
			o := fixture.Organization(t, fixture.AllFeatures)
			m := t.Principal(fixture.Member)
			fixture.Join(t, o, m)
			return answered(t.Call(o.Mgmt, "RemoveAccountFromOrganization", map[string]string{"AccountId": m.AccountID}), o)
		}},
}

// inviteWithNotes sends an invitation of party with notes, canceled after
// the check unless it closed.
func inviteWithNotes(t *check.T, o *fixture.Org, party map[string]string) oracle.Handshake {
	r := t.Require(t.Call(o.Mgmt, "InviteAccountToOrganization", map[string]any{"Target": party, "Notes": sampleNotes}), "InviteAccountToOrganization")
	h := t.Handshake(r)
	fixture.CancelLater(t, o.Mgmt, h.Id)
	return h
}

// created is the CreateOrganization answer of a new organization with
// featureSet; a target that makes organizations some other way cannot
// reproduce the sample.
func created(t *check.T, featureSet string) sampleAnswer {
	o := fixture.Organization(t, featureSet)
	if o.Created == nil {
		t.SkipCause("no CreateOrganization answer", "the organization was not created by CreateOrganization here (%s), so its sample cannot be reproduced", o.Route)
	}
	return answered(o.Created, o)
}

// listed calls the list operation op as p (every page) and returns a body
// of member holding just the scene's entries ids, in that order: a target
// with history, or the accounts the fixtures made, lists more.
func listed(t *check.T, p endpoint.Principal, op, member string, o *fixture.Org, ids ...string) sampleAnswer {
	byID := map[string]json.RawMessage{}
	in := map[string]any{}
	var r *endpoint.Response
	for range 1000 {
		r = t.Require(t.Call(p, op, in), op)
		var page map[string]json.RawMessage
		t.Decode(r, &page)
		var entries []json.RawMessage
		_ = json.Unmarshal(page[member], &entries)
		for _, e := range entries {
			var x struct{ Id string }
			if json.Unmarshal(e, &x) == nil {
				byID[x.Id] = e
			}
		}
		var next string
		_ = json.Unmarshal(page["NextToken"], &next)
		if next == "" {
			break
		}
		in["NextToken"] = next
	}
	var kept []json.RawMessage
	for _, id := range ids {
		e, ok := byID[id]
		if !ok {
			t.Failf(r, fmt.Sprintf("%s lists %s", op, id), "not listed on any page")
		}
		kept = append(kept, e)
	}
	body, _ := json.Marshal(map[string]any{member: kept})
	return sampleAnswer{resp: r, body: body, org: o}
}

// goldenScene plays sc and compares its answer with the sample.
func goldenScene(t *check.T, sc sampleScene) {
	path := sc.op + "/" + sc.stem + ".response.http"
	want := goldenFile(t, path)
	t.Source("golden/" + path + " (" + sampleSource(sc.op, sc.stem) + ")")
	a := sc.play(t)
	t.Unanswered(a.resp)
	fixture.Saw(t, a.resp) // the scene's cleanups need not undo what the answer shows closed
	if a.resp.Status != want.StatusCode || !a.resp.OK() {
		t.Failf(a.resp, fmt.Sprintf("HTTP %d with a body, as in the sample response", want.StatusCode), "%s", a.resp.Summary())
	}
	body := alternatives(t, a.body, a.org)
	cmp, err := golden.CompareSampleStem(sc.op, sc.stem, body)
	if err != nil {
		t.Failf(nil, "the golden sample "+path, "%v", err)
	}
	for _, n := range cmp.NoteLines() {
		t.Notef("%s", n)
	}
	if cmp.Failed() {
		t.Failf(a.resp, "the sample response, ids, timestamps and free text aside", "%s", cmp.String())
	}
}

// sampleSource says where a sample comes from (golden/<op>/source.json).
func sampleSource(op, stem string) string {
	src, err := golden.LoadSource(op)
	if err != nil {
		return "source unknown"
	}
	smp, ok := src.Sample(stem)
	if !ok {
		return "source unknown"
	}
	if smp.Example != "" {
		return smp.Source + ": " + smp.File + " example " + smp.Example
	}
	return smp.Source + ": " + smp.File
}

// alternatives rewrites, in a live body, the answers the sources allow
// beside the one a sample shows, so that the comparison judges the rest,
// and notes each: an invitation that reads REQUESTED where it reads OPEN
// on AWS (both initial states, specs lifecycle); the ORGANIZATION party in
// another form the sources show (the id without "o-", as the guide's
// all-features transcripts do); and the management account listed with
// JoinedMethod CREATED (the account that created the organization) where
// the examples show INVITED.
func alternatives(t *check.T, body []byte, o *fixture.Org) []byte {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil || o == nil {
		return body
	}
	top, ok := v.(map[string]any)
	if !ok {
		return body
	}
	var handshakes []map[string]any
	if h, ok := top["Handshake"].(map[string]any); ok {
		handshakes = append(handshakes, h)
	}
	if list, ok := top["Handshakes"].([]any); ok {
		for _, x := range list {
			if h, ok := x.(map[string]any); ok {
				handshakes = append(handshakes, h)
			}
		}
	}
	for _, h := range handshakes {
		action, _ := h["Action"].(string)
		if st, _ := h["State"].(string); st == "REQUESTED" && action == "INVITE" && slices.Contains(spec.Lifecycle.InitialStateSet(action), "OPEN") {
			h["State"] = "OPEN"
			t.Notef("an invitation reads REQUESTED where AWS shows OPEN; both are initial states of an invitation (specs lifecycle), so it is compared as OPEN")
		}
		parties, _ := h["Parties"].([]any)
		for _, x := range parties {
			p, _ := x.(map[string]any)
			if id, _ := p["Id"].(string); p["Type"] == "ORGANIZATION" && id != o.ID && slices.Contains(spec.PartyIDs("ORGANIZATION", o.ID), id) {
				p["Id"] = o.ID
				t.Notef("the ORGANIZATION party is %q, a form of %s the sources show (specs/shapes.json idForms)", id, o.ID)
			}
		}
	}
	if accounts, ok := top["Accounts"].([]any); ok {
		for _, x := range accounts {
			a, _ := x.(map[string]any)
			if a["Id"] == o.Mgmt.AccountID && a["JoinedMethod"] == "CREATED" {
				a["JoinedMethod"] = "INVITED"
				t.Notef("the management account is listed with JoinedMethod CREATED where the examples show INVITED; the sources do not say which the account that created the organization gets")
			}
		}
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// goldenError compares the first AcceptHandshake error body of exception
// name seen in this run with golden/AcceptHandshake/errors/<name>.http:
// status, members and bare __type (message text and reason values masked);
// members the golden lacks are notes, as in success bodies.
func goldenError(t *check.T, op, name string) {
	want := goldenFile(t, op+"/errors/"+name+".http")
	t.Source("golden: " + op + "/errors/" + name + ".http")
	seen, ok := t.Session().FirstError(op, name)
	if !ok {
		t.SkipCause("not provoked in this run", "not provoked in this run: no check provoked %s from %s", name, op)
	}
	statuses, _ := oracle.Statuses(name)
	statuses = append(statuses, want.StatusCode)
	t.Attach(seen.Exchange)
	if !slices.Contains(statuses, seen.Status) {
		t.Failf(nil, fmt.Sprintf("HTTP %v as in the golden error (or the model's status)", statuses), "HTTP %d (in check %s)", seen.Status, seen.Check)
	}
	wantMembers := memberSet(want.Body)
	var extra []string
	for _, m := range seen.Members {
		if !slices.Contains(wantMembers, m) && !slices.Contains(messageMembers, m) {
			extra = append(extra, m)
		}
	}
	if len(extra) > 0 {
		t.Notef("%s's body has members the golden lacks: %s (AWS adds members over time; SDKs ignore them)", name, strings.Join(extra, ", "))
	}
	got := slices.DeleteFunc(slices.Clone(seen.Members), func(m string) bool { return slices.Contains(extra, m) })
	if diff := golden.Compare(errorShape(wantMembers, name), errorShape(got, seen.Code)); diff != "" {
		t.Failf(nil, "the golden error body's members (-golden +observed)", "%s (in check %s)", diff, seen.Check)
	}
}

// messageMembers are the spellings of an error's message member.
var messageMembers = []string{"Message", "message"}

func goldenFile(t *check.T, path string) *golden.Message {
	m, err := golden.Read(path)
	if err != nil {
		t.Failf(nil, "the golden file "+path, "%v", err)
	}
	return m
}

// memberSet returns the top-level member names of a JSON object body.
func memberSet(body []byte) []string {
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

// errorShape keeps what an error body must share with its golden: which
// members are present ("message" read as "Message", as awsJson clients do),
// with the code read as clients read it (header or __type).
func errorShape(members []string, code string) []byte {
	out := map[string]any{}
	for _, k := range members {
		switch k {
		case "__type":
		case "message", "Message":
			out["Message"] = "<TEXT>"
		default:
			out[k] = "<VALUE>"
		}
	}
	out["__type"] = code
	b, _ := json.Marshal(out)
	return b
}
