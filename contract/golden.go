package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/golden"
)

// goldenChecks compare live bodies with the documented ones in golden/,
// after normalisation (placeholders for ids, ARNs, timestamps, account ids
// and emails; free text masked).
func goldenChecks() []Check {
	out := []Check{{
		ID: "golden/AcceptHandshake/sample-response", Group: "golden", Operation: "AcceptHandshake",
		Needs: []string{"CreateOrganization", "InviteAccountToOrganization", "AcceptHandshake", "ListAccounts", "RemoveAccountFromOrganization"},
		run:   (*T).goldenSample,
	}}
	for _, name := range contractErrorNames("AcceptHandshake") {
		out = append(out, Check{
			ID: "golden/AcceptHandshake/errors/" + name, Group: "golden", Operation: "AcceptHandshake",
			run: func(t *T) { t.goldenError("AcceptHandshake", name) },
		})
	}
	return out
}

func contractErrorNames(op string) []string {
	spec, _ := contract.Operation(op)
	return spec.ErrorNames()
}

// goldenSample reproduces the reference sample: an invitation by email,
// accepted, compared with golden/AcceptHandshake/sample.response.http.
func (t *T) goldenSample() {
	want := t.goldenFile("AcceptHandshake/sample.response.http")
	rec := t.tgt.Mint(roleRecipient)
	email := t.accountEmail(rec)
	o := t.newOrg("ALL")
	h := t.inviteEmail(o, email)
	r := t.call(rec, "AcceptHandshake", map[string]string{"HandshakeId": h.Id})
	t.unsupportedIf(r)
	if r.OK() {
		t.leaveLater(o, rec)
	}
	if r.Status != want.StatusCode {
		t.Failf(r, fmt.Sprintf("HTTP %d as in the sample response", want.StatusCode), "%s", r.Summary())
	}
	if diff := golden.Compare(canonical(want.Body), canonical(r.Body)); diff != "" {
		t.Failf(r, "the reference sample response, after normalisation (-sample +observed)", "%s", diff)
	}
}

// goldenError compares the AcceptHandshake error bodies of exception name
// seen in this run with golden/AcceptHandshake/errors/<name>.http: status,
// members and bare __type (message text and reason values masked).
func (t *T) goldenError(op, name string) {
	want := t.goldenFile(op + "/errors/" + name + ".http")
	var seen *endpoint.Response
	for _, o := range t.run.observations() {
		if o.resp.Op == op && o.resp.Kind == endpoint.KindError && o.resp.Code == name {
			seen = o.resp
			break
		}
	}
	if seen == nil {
		t.Skipf("no check in this run provoked %s from %s", name, op)
	}
	if seen.Status != want.StatusCode {
		t.Failf(seen, fmt.Sprintf("HTTP %d as in the golden error", want.StatusCode), "HTTP %d", seen.Status)
	}
	if diff := golden.Compare(errorShape(want.Body, name), errorShape(seen.Body, seen.Code)); diff != "" {
		t.Failf(seen, "the golden error body's members (-golden +observed)", "%s", diff)
	}
}

func (t *T) goldenFile(path string) *golden.Message {
	m, err := golden.Read(path)
	if err != nil {
		t.Failf(nil, "the golden file "+path, "%v", err)
	}
	return m
}

// canonical sorts Parties and Resources by Type (their order carries no
// meaning) and masks free-text resource values (MASTER_NAME, NOTES).
func canonical(body []byte) []byte {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return body
	}
	walk(v)
	out, _ := json.Marshal(v)
	return out
}

func walk(v any) {
	switch x := v.(type) {
	case map[string]any:
		if typ, _ := x["Type"].(string); typ == "MASTER_NAME" || typ == "MANAGEMENT_NAME" || typ == "NOTES" {
			x["Value"] = "<TEXT>"
		}
		for k, child := range x {
			if list, ok := child.([]any); ok && (k == "Parties" || k == "Resources") {
				sort.SliceStable(list, func(i, j int) bool { return typeOf(list[i]) < typeOf(list[j]) })
			}
			walk(child)
		}
	case []any:
		for _, c := range x {
			walk(c)
		}
	}
}

func typeOf(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["Type"].(string)
	return s
}

// errorShape keeps what an error body must share with its golden: which
// members are present ("message" read as "Message", as awsJson clients do),
// with the code read as clients read it (header or __type).
func errorShape(body []byte, code string) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	out := map[string]any{}
	for k := range m {
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
