package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"time"
)

// Expectations says what an SDK client must decode from each golden file of
// one operation's folder (<Operation>/expectations.json).
type Expectations struct {
	Comment   string        `json:"$comment"`
	Operation string        `json:"operation"`
	Files     []Expectation `json:"files"`
}

// Expectation is the decoding expected of one golden file: exactly one of
// Output and Error is set.
type Expectation struct {
	File   string         `json:"file"`   // relative to the operation folder
	Source string         `json:"source"` // reference or model
	Output *Output        `json:"output,omitempty"`
	Error  *ExpectedError `json:"error,omitempty"`
}

// Output is the typed output expected of a success response: the member
// of the operation's output (none for operations without output, whose
// expected output is {}).
type Output struct {
	Handshake    *Handshake    `json:"Handshake,omitempty"`
	Handshakes   []Handshake   `json:"Handshakes,omitempty"`
	Organization *Organization `json:"Organization,omitempty"`
	Accounts     []Account     `json:"Accounts,omitempty"`
}

// Handshake is a types.Handshake as plain values, for comparison.
type Handshake struct {
	Id                  string
	Arn                 string
	State               string
	Action              string
	RequestedTimestamp  time.Time
	ExpirationTimestamp time.Time
	Parties             []Party
	Resources           []Resource
}

// Party is a types.HandshakeParty as plain values.
type Party struct {
	Id   string
	Type string
}

// Resource is a types.HandshakeResource as plain values.
type Resource struct {
	Type      string
	Value     string
	Resources []Resource `json:",omitempty"`
}

// Organization is a types.Organization as plain values.
type Organization struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string
	AvailablePolicyTypes []PolicyTypeSummary
}

// PolicyTypeSummary is a types.PolicyTypeSummary as plain values.
type PolicyTypeSummary struct {
	Type   string
	Status string
}

// Account is a types.Account as plain values.
type Account struct {
	Id              string
	Arn             string
	Email           string
	Name            string
	Status          string
	JoinedMethod    string
	JoinedTimestamp time.Time
}

// ExpectedError is the typed error expected of an error response: Type is
// the Go type name in the SDK's types package, Code its ErrorCode(), Fault
// its ErrorFault() ("client" or "server"), Reason its Reason field if any.
type ExpectedError struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Reason  string `json:"reason,omitempty"`
	Fault   string `json:"fault"`
}

// LoadExpectations reads the embedded <op>/expectations.json.
func LoadExpectations(op string) (*Expectations, error) {
	data, err := fs.ReadFile(files, op+"/expectations.json")
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e Expectations
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("golden: %s/expectations.json: %w", op, err)
	}
	for _, f := range e.Files {
		if (f.Output == nil) == (f.Error == nil) {
			return nil, fmt.Errorf("golden: %s/expectations.json: %s: want exactly one of output and error", op, f.File)
		}
	}
	return &e, nil
}
