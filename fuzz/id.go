package fuzz

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/specs"
)

var (
	contract  = specs.Must()
	idPattern = regexp.MustCompile(contract.HandshakeID().Pattern)
	idMax     = *contract.HandshakeID().Max
)

// validID reports whether id satisfies the HandshakeId constraints.
func validID(id string) bool { return len(id) <= idMax && idPattern.MatchString(id) }

// invalidReasons are the InvalidInputException reasons that may describe a
// broken HandshakeId.
var invalidReasons = []string{"INVALID_PATTERN", "MAX_LENGTH_EXCEEDED", "MIN_LENGTH_EXCEEDED", "INPUT_REQUIRED"}

// HandshakeID sends AcceptHandshake for id as p and returns an error when the
// answer breaks the contract: a valid id that was never issued must be
// looked up and not found (HandshakeNotFoundException); an invalid one must
// be refused with InvalidInputException and a fitting reason. An id that is
// valid but for one final newline may get either answer (a Java-style $
// matches before it). Throttling and internal failures are returned as
// errors too: the fuzzer wants a target that answers.
func HandshakeID(ctx context.Context, tgt *endpoint.Target, p endpoint.Principal, id string) error {
	id = strings.ToValidUTF8(id, "\uFFFD") // what encoding/json would send anyway
	body, err := json.Marshal(map[string]string{"HandshakeId": id})
	if err != nil {
		return fmt.Errorf("encode %q: %w", id, err)
	}
	r := tgt.Raw(ctx, p, "AcceptHandshake", body)
	want := "InvalidInputException"
	if validID(id) {
		want = "HandshakeNotFoundException"
	}
	lenient := !validID(id) && len(id) > 0 && id[len(id)-1] == '\n' && validID(id[:len(id)-1])
	switch {
	case r.Kind != endpoint.KindError:
		return fmt.Errorf("HandshakeId %q: want %s, got %s", id, want, r.Summary())
	case lenient && (r.Code == "InvalidInputException" || r.Code == "HandshakeNotFoundException"):
	case r.Code != want:
		return fmt.Errorf("HandshakeId %q: want %s, got %s", id, want, r.Summary())
	}
	if r.Code == "InvalidInputException" && !slices.Contains(invalidReasons, r.Reason) {
		return fmt.Errorf("HandshakeId %q: InvalidInputException with Reason %q, want one of %v", id, r.Reason, invalidReasons)
	}
	return nil
}
