package contract

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/schemas"
)

// errorChecks judge every error response the run has seen, per operation:
// only documented exceptions (or a common error the call accepts), with a
// body valid against the exception's schema. They run last.
func errorChecks() []Check {
	var out []Check
	for _, op := range contract.Operations {
		out = append(out,
			Check{ID: "errors/" + op.Name + "/documented", Group: "errors", Operation: op.Name,
				run: func(t *T) { t.documentedErrors(op.Name) }},
			Check{ID: "errors/" + op.Name + "/schema", Group: "errors", Operation: op.Name,
				run: func(t *T) { t.errorSchemas(op.Name) }},
		)
	}
	return out
}

// errorsSeen returns the error responses of op seen so far in the run.
func (t *T) errorsSeen(op string) []observed {
	var out []observed
	for _, o := range t.run.observations() {
		if o.resp.Op == op && o.resp.Kind == endpoint.KindError {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		t.Skipf("no error response of %s was seen in this run (run the other checks too)", op)
	}
	return out
}

func (t *T) documentedErrors(op string) {
	spec, _ := contract.Operation(op)
	for _, o := range t.errorsSeen(op) {
		if spec.Documents(o.resp.Code) || transient(o.resp) {
			continue
		}
		accepted := false
		for _, cat := range o.common {
			accepted = accepted || slices.Contains(contract.CommonErrorsFor(cat), o.resp.Code)
		}
		if !accepted {
			t.Failf(o.resp, fmt.Sprintf("one of the exceptions %s documents: %v", op, spec.ErrorNames()),
				"%s (in check %s)", o.resp.Code, o.check)
		}
	}
}

func (t *T) errorSchemas(op string) {
	for _, o := range t.errorsSeen(op) {
		if err := schemas.ValidateError(o.resp.Code, withType(o.resp.Body, o.resp.Code)); err != nil {
			t.Failf(o.resp, "an error body valid against the schema of "+o.resp.Code, "%v (in check %s)", err, o.check)
		}
	}
}

// withType adds "__type" to an error body that carries its code only in the
// X-Amzn-ErrorType header, which awsJson1_1 clients accept as well.
func withType(body []byte, code string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || m == nil {
		return body
	}
	if _, ok := m["__type"]; ok || code == "" {
		return body
	}
	m["__type"], _ = json.Marshal(code)
	out, _ := json.Marshal(m)
	return out
}
