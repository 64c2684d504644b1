package contract

import (
	"strings"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/oracle"
)

// lines joins non-empty parts for expected/observed texts.
func lines(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// noteUnknownMembers notes the members of r's success body the contract
// does not know: AWS adds output members over time and SDKs ignore them,
// so they are not failures.
func noteUnknownMembers(t *check.T, r *endpoint.Response) {
	if extra := oracle.UnknownMembers(r.Op, r.Body); len(extra) > 0 {
		t.Notef("%s answered members the contract does not know: %s (AWS adds output members over time; SDKs ignore them)", r.Op, strings.Join(extra, ", "))
	}
}
