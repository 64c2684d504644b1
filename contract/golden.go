package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/oracle"
)

// goldenChecks compare live bodies with the documented ones in golden/,
// after normalisation (placeholders for ids, ARNs, timestamps, account ids
// and emails; free text masked).
func goldenChecks() []check.Check {
	out := []check.Check{{
		ID: "golden/AcceptHandshake/sample-response", Group: "golden", Operation: "AcceptHandshake",
		Needs: check.Needs{Ops: []string{"InviteAccountToOrganization", "AcceptHandshake"},
			Principals: need{fixture.Management: 1, fixture.Recipient: 1}, Invitations: 2},
		Run: goldenSample,
	}}
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

// goldenSample reproduces the reference sample: an invitation by email,
// accepted, compared with golden/AcceptHandshake/sample.response.http.
func goldenSample(t *check.T) {
	want := goldenFile(t, "AcceptHandshake/sample.response.http")
	t.Source("reference: the AcceptHandshake sample response")
	o := fixture.Organization(t, fixture.AllFeatures)
	rec := t.Principal(fixture.Recipient)
	email := fixture.AccountEmail(t, o, rec)
	h := fixture.InviteEmail(t, o, email)
	r := t.Call(rec, "AcceptHandshake", map[string]string{"HandshakeId": h.Id})
	t.Unanswered(r)
	if r.OK() {
		fixture.Saw(t, r)
		fixture.LeaveLater(t, o, rec)
	}
	if r.Status != want.StatusCode {
		t.Failf(r, fmt.Sprintf("HTTP %d as in the sample response", want.StatusCode), "%s", r.Summary())
	}
	cmp, err := golden.CompareSample("AcceptHandshake", r.Body)
	if err != nil {
		t.Failf(nil, "the golden sample of AcceptHandshake", "%v", err)
	}
	for _, n := range cmp.NoteLines() {
		t.Notef("%s", n)
	}
	if cmp.Failed() {
		t.Failf(r, "the reference sample response, ids, timestamps and free text aside", "%s", cmp.String())
	}
}

// goldenError compares the first AcceptHandshake error body of exception
// name seen in this run with golden/AcceptHandshake/errors/<name>.http:
// status, members and bare __type (message text and reason values masked).
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
	if diff := golden.Compare(errorShape(memberSet(want.Body), name), errorShape(seen.Members, seen.Code)); diff != "" {
		t.Failf(nil, "the golden error body's members (-golden +observed)", "%s (in check %s)", diff, seen.Check)
	}
}

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
