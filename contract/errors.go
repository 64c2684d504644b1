package contract

import (
	"fmt"

	"github.com/orgconform/orgconform/check"
)

// errorChecks judge every answer the run has seen, per operation: only
// documented exceptions (or a common error the call accepts), with a body
// valid against the exception's schema; every success with a body valid
// against the operation's response schema. They run after the others.
func errorChecks() []check.Check {
	var out []check.Check
	for _, op := range spec.Operations {
		out = append(out,
			check.Check{ID: "errors/" + op.Name + "/documented", Group: "errors", Operation: op.Name, After: true,
				Run: func(t *check.T) { documentedErrors(t, op.Name) }},
			check.Check{ID: "errors/" + op.Name + "/schema", Group: "errors", Operation: op.Name, After: true,
				Run: func(t *check.T) { errorSchemas(t, op.Name) }},
		)
	}
	for _, op := range spec.Operations {
		out = append(out, check.Check{ID: "responses/" + op.Name + "/schema", Group: "responses", Operation: op.Name, After: true,
			Run: func(t *check.T) { responseSchemas(t, op.Name) }})
	}
	return out
}

// responseSchemas judges every success answer of op the run has seen
// against op's response schema.
func responseSchemas(t *check.T, op string) {
	n, broken := t.Session().SuccessesSeen(op)
	if n == 0 {
		t.SkipCause("not provoked in this run", "not provoked in this run: no success answer of %s was seen (run the other checks too)", op)
	}
	t.Source("schemas/" + op + "/response.schema.json: the response syntax")
	if broken != nil {
		t.Attach(broken.Exchange)
		t.Failf(nil, "a body valid against the response schema of "+op, "%s (in check %s)", broken.Problem, broken.Check)
	}
}

func seen(t *check.T, op string) (undocumented, schemaBroken *check.Observed) {
	n, u, s := t.Session().ErrorsSeen(op)
	if n == 0 {
		t.SkipCause("not provoked in this run", "not provoked in this run: no error answer of %s was seen (run the other checks too)", op)
	}
	return u, s
}

func documentedErrors(t *check.T, op string) {
	u, _ := seen(t, op)
	o, _ := spec.Operation(op)
	t.Source(fmt.Sprintf("%s: the exceptions %s documents", o.Source, op))
	if u != nil {
		t.Attach(u.Exchange)
		t.Failf(nil, fmt.Sprintf("one of the exceptions %s documents: %v", op, o.ErrorNames()),
			"%s (in check %s)", u.Summary, u.Check)
	}
}

func errorSchemas(t *check.T, op string) {
	_, s := seen(t, op)
	t.Source("schemas/errors: the exception's body")
	if s != nil {
		t.Attach(s.Exchange)
		t.Failf(nil, "an error body valid against the schema of "+s.Code, "%s (in check %s)", s.Problem, s.Check)
	}
}
