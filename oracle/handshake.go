package oracle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// Handshake is a Handshake as it travels on the wire. Timestamps stay raw so
// that a wrongly typed one can be reported as it was sent.
type Handshake struct {
	Id                  string          `json:"Id"`
	Arn                 string          `json:"Arn"`
	State               string          `json:"State"`
	Action              string          `json:"Action"`
	Parties             []Party         `json:"Parties"`
	Resources           []Resource      `json:"Resources"`
	RequestedTimestamp  json.RawMessage `json:"RequestedTimestamp"`
	ExpirationTimestamp json.RawMessage `json:"ExpirationTimestamp"`
}

// Party is a handshake party.
type Party struct {
	Id   string `json:"Id"`
	Type string `json:"Type"`
}

// Resource is a handshake resource, possibly with nested resources.
type Resource struct {
	Type      string     `json:"Type"`
	Value     string     `json:"Value"`
	Resources []Resource `json:"Resources"`
}

// HasParty reports whether h names id as a party of type typ.
func (h Handshake) HasParty(id, typ string) bool {
	return slices.Contains(h.Parties, Party{Id: id, Type: typ})
}

// FromOrganization reports whether h names the organization orgID as its
// ORGANIZATION party, in any form the sources show (the id, or the id
// without its "o-" prefix, as the guide's transcripts do).
func (h Handshake) FromOrganization(orgID string) bool {
	for _, id := range contract.PartyIDs("ORGANIZATION", orgID) {
		if h.HasParty(id, "ORGANIZATION") {
			return true
		}
	}
	return false
}

// Resource returns h's top-level resource of type typ.
func (h Handshake) Resource(typ string) (Resource, bool) {
	for _, r := range h.Resources {
		if r.Type == typ {
			return r, true
		}
	}
	return Resource{}, false
}

// DecodeHandshake reads the {"Handshake": {...}} body of a handshake
// operation's answer.
func DecodeHandshake(body []byte) (Handshake, error) {
	var out struct {
		Handshake *Handshake `json:"Handshake"`
	}
	if err := decode(body, &out); err != nil {
		return Handshake{}, err
	}
	if out.Handshake == nil {
		return Handshake{}, fmt.Errorf("the body has no Handshake member")
	}
	return *out.Handshake, nil
}

// DecodeHandshakes reads a ListHandshakesFor* answer: the page and its
// NextToken ("" on the last page).
func DecodeHandshakes(body []byte) ([]Handshake, string, error) {
	var out struct {
		Handshakes []Handshake `json:"Handshakes"`
		NextToken  *string     `json:"NextToken"`
	}
	if err := decode(body, &out); err != nil {
		return nil, "", err
	}
	if out.NextToken != nil {
		return out.Handshakes, *out.NextToken, nil
	}
	return out.Handshakes, "", nil
}

func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return dec.Decode(v)
}

var (
	idPattern  = regexp.MustCompile(contract.HandshakeID().Pattern)
	arnPattern = regexp.MustCompile(contract.Scalars["HandshakeArn"].Pattern)
)

// ValidID reports whether id satisfies the HandshakeId pattern and length.
func ValidID(id string) bool {
	return idPattern.MatchString(id) && len(id) <= *contract.HandshakeID().Max
}

// ValidArn reports whether arn matches the HandshakeArn pattern.
func ValidArn(arn string) bool { return arnPattern.MatchString(arn) }

// Timestamp reads an epoch-seconds timestamp; ok is false when raw is not a
// finite JSON number.
func Timestamp(raw json.RawMessage) (float64, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// Shape lists every way h departs from the Handshake rules that hold
// whatever the scenario: the Id and Arn patterns (and the Arn naming the
// Id), State and Action from their enums, party types, and numeric
// timestamps in order.
func Shape(h Handshake) []string {
	var bad []string
	if !ValidID(h.Id) {
		bad = append(bad, fmt.Sprintf("Id %q does not match %s (max %d)", h.Id, idPattern, *contract.HandshakeID().Max))
	}
	if !ValidArn(h.Arn) {
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
	req, okR := Timestamp(h.RequestedTimestamp)
	exp, okE := Timestamp(h.ExpirationTimestamp)
	switch {
	case !okR || !okE:
		bad = append(bad, fmt.Sprintf("timestamps are not epoch-second numbers (RequestedTimestamp %s, ExpirationTimestamp %s)", h.RequestedTimestamp, h.ExpirationTimestamp))
	case req >= exp:
		bad = append(bad, fmt.Sprintf("RequestedTimestamp %v is not before ExpirationTimestamp %v", req, exp))
	}
	return bad
}
