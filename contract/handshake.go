package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/orgconform/orgconform/endpoint"
)

// handshake is a Handshake as it travels on the wire.
type handshake struct {
	Id                  string          `json:"Id"`
	Arn                 string          `json:"Arn"`
	State               string          `json:"State"`
	Action              string          `json:"Action"`
	Parties             []party         `json:"Parties"`
	Resources           []resource      `json:"Resources"`
	RequestedTimestamp  json.RawMessage `json:"RequestedTimestamp"`
	ExpirationTimestamp json.RawMessage `json:"ExpirationTimestamp"`
}

type party struct {
	Id   string `json:"Id"`
	Type string `json:"Type"`
}

type resource struct {
	Type      string     `json:"Type"`
	Value     string     `json:"Value"`
	Resources []resource `json:"Resources"`
}

// hasParty reports whether h names id as a party of type typ.
func (h handshake) hasParty(id, typ string) bool {
	return slices.Contains(h.Parties, party{Id: id, Type: typ})
}

// resource returns h's top-level resource of type typ.
func (h handshake) resource(typ string) (resource, bool) {
	for _, r := range h.Resources {
		if r.Type == typ {
			return r, true
		}
	}
	return resource{}, false
}

// decodeJSON decodes r's body into v or fails the check.
func (t *T) decodeJSON(r *endpoint.Response, v any) {
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Failf(r, "a JSON body of the documented shape", "%s: %v", r.Op, err)
	}
}

// handshakeOf decodes the {"Handshake": {...}} body of r or fails the check.
func (t *T) handshakeOf(r *endpoint.Response) handshake {
	var out struct {
		Handshake *handshake `json:"Handshake"`
	}
	t.decodeJSON(r, &out)
	if out.Handshake == nil {
		t.Failf(r, "a body with a Handshake member", "%s answered without Handshake", r.Op)
	}
	return *out.Handshake
}

// handshakeListOf decodes a ListHandshakes* body.
func (t *T) handshakeListOf(r *endpoint.Response) ([]handshake, string) {
	var out struct {
		Handshakes []handshake `json:"Handshakes"`
		NextToken  *string     `json:"NextToken"`
	}
	t.decodeJSON(r, &out)
	if out.NextToken != nil {
		return out.Handshakes, *out.NextToken
	}
	return out.Handshakes, ""
}

var (
	idPattern  = regexp.MustCompile(contract.HandshakeID().Pattern)
	arnPattern = regexp.MustCompile(contract.Scalars["HandshakeArn"].Pattern)
)

// timestamp reads an epoch-seconds timestamp; ok is false when raw is not a
// JSON number.
func timestamp(raw json.RawMessage) (float64, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// wellFormed lists every way h departs from the Handshake shape rules that do
// not depend on the scenario: ID and ARN patterns, enum values, numeric
// timestamps in order.
func wellFormed(h handshake) []string {
	var bad []string
	maxLen := *contract.HandshakeID().Max
	if !idPattern.MatchString(h.Id) || len(h.Id) > maxLen {
		bad = append(bad, fmt.Sprintf("Id %q does not match %s (max %d)", h.Id, idPattern, maxLen))
	}
	if !arnPattern.MatchString(h.Arn) {
		bad = append(bad, fmt.Sprintf("Arn %q does not match %s", h.Arn, arnPattern))
	} else if !strings.HasSuffix(h.Arn, "/"+h.Id) {
		bad = append(bad, fmt.Sprintf("Arn %q does not name the handshake %s", h.Arn, h.Id))
	}
	for _, f := range []struct{ enum, value, field string }{
		{"HandshakeState", h.State, "State"}, {"ActionType", h.Action, "Action"},
	} {
		if en, _ := contract.Enum(f.enum); !en.Has(f.value) {
			bad = append(bad, fmt.Sprintf("%s %q is not a %s", f.field, f.value, f.enum))
		}
	}
	pt, _ := contract.Enum("HandshakePartyType")
	for _, p := range h.Parties {
		if !pt.Has(p.Type) {
			bad = append(bad, fmt.Sprintf("party type %q is not a HandshakePartyType", p.Type))
		}
	}
	req, okR := timestamp(h.RequestedTimestamp)
	exp, okE := timestamp(h.ExpirationTimestamp)
	switch {
	case !okR || !okE:
		bad = append(bad, fmt.Sprintf("timestamps are not epoch-second numbers (RequestedTimestamp %s, ExpirationTimestamp %s)", h.RequestedTimestamp, h.ExpirationTimestamp))
	case req >= exp:
		bad = append(bad, fmt.Sprintf("RequestedTimestamp %v is not before ExpirationTimestamp %v", req, exp))
	}
	return bad
}
