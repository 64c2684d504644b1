// Package specs is the AWS Organizations handshake contract as data: the
// operations, their errors and reason codes, the named shapes, who may call
// what, the handshake state-transition table, the drift between the API
// reference page and the current SDK model, and what holds of which
// aws-sdk-go-v2 version (sdk.json).
//
// The facts live in the JSON files of this folder, embedded in the binary.
// Every fact carries its source: "reference" (the API page), "model" (the
// SDK/botocore model) or "assumption" (with a sentence of reasoning). This
// package imports nothing else of orgconform.
package specs

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sync"
)

//go:embed *.json
var files embed.FS

// Source says where a fact comes from.
type Source string

// The sources a fact may cite.
const (
	SourceReference  Source = "reference"
	SourceModel      Source = "model"
	SourceAssumption Source = "assumption"
)

// Drift values mark facts on which the reference page and the model disagree.
const (
	DriftModelOnly     = "model-only"
	DriftReferenceOnly = "reference-only"
)

// Contract is the whole contract, as loaded from the embedded JSON files.
type Contract struct {
	Service      Service
	Operations   []Operation
	Errors       []Error
	CommonErrors []CommonError
	Enums        []Enum
	Scalars      map[string]Scalar
	Structures   map[string]Structure
	Roles        []Role
	Permissions  []Permission
	Lifecycle    Lifecycle
	Transitions  []Transition
	Drift        []DriftNote
	SDK          SDK
}

// Service describes the wire protocol of the service.
type Service struct {
	Name          string `json:"name"`
	APIVersion    string `json:"apiVersion"`
	Protocol      string `json:"protocol"`
	TargetPrefix  string `json:"targetPrefix"`
	ContentType   string `json:"contentType"`
	SigningName   string `json:"signingName"`
	SigningRegion string `json:"signingRegion"`
	Source        Source `json:"source"`
}

// Operation is one API operation: its X-Amz-Target, members and errors.
type Operation struct {
	Name   string      `json:"name"`
	Target string      `json:"target"`
	HTTP   HTTPBinding `json:"http"`
	Input  []Member    `json:"input"`
	Output []Member    `json:"output"`
	Errors []OpError   `json:"errors"`
	Source Source      `json:"source"`
	Note   string      `json:"note,omitempty"`
}

// HTTPBinding is the method and path every awsJson1_1 operation uses.
type HTTPBinding struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Member is one member of an operation's input or output.
type Member struct {
	Name      string `json:"name"`
	Shape     string `json:"shape"`
	Type      string `json:"type"`
	Required  bool   `json:"required"`
	MinLength *int   `json:"minLength,omitempty"`
	MaxLength *int   `json:"maxLength,omitempty"`
	Min       *int   `json:"min,omitempty"`
	Max       *int   `json:"max,omitempty"`
	Pattern   string `json:"pattern,omitempty"`
	Enum      string `json:"enum,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
	Source    Source `json:"source"`
}

// OpError is an exception an operation documents.
type OpError struct {
	Name   string `json:"name"`
	Source Source `json:"source"`
	Drift  string `json:"drift,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Error is a modeled exception: its HTTP status, fault and body members.
type Error struct {
	Name       string   `json:"name"`
	HTTPStatus int      `json:"httpStatus"`
	Fault      string   `json:"fault"`
	Members    []string `json:"members"`
	ReasonEnum string   `json:"reasonEnum,omitempty"`
	Source     Source   `json:"source"`
	Note       string   `json:"note,omitempty"`
	// ModelHTTPStatus is the httpError code of the newer SDK model where it
	// differs from HTTPStatus (drift); StatusNote says why both pass.
	ModelHTTPStatus int    `json:"modelHttpStatus,omitempty"`
	StatusNote      string `json:"statusNote,omitempty"`
}

// Statuses returns the HTTP statuses a target may send with e: the
// reference page's, and the newer model's where they differ.
func (e Error) Statuses() []int {
	if e.ModelHTTPStatus != 0 && e.ModelHTTPStatus != e.HTTPStatus {
		return []int{e.HTTPStatus, e.ModelHTTPStatus}
	}
	return []int{e.HTTPStatus}
}

// CommonError is an error any AWS action may return (authentication,
// deserialization, throttling, internal failure). AcceptedWhere names the
// check categories that accept it in place of a modeled exception.
type CommonError struct {
	Name          string   `json:"name"`
	HTTPStatus    int      `json:"httpStatus"`
	Fault         string   `json:"fault"`
	When          string   `json:"when"`
	AcceptedWhere []string `json:"acceptedWhere"`
	Source        Source   `json:"source"`
	Note          string   `json:"note,omitempty"`
}

// Enum is an enumeration with the source of each value.
type Enum struct {
	Name   string      `json:"name"`
	Values []EnumValue `json:"values"`
	Note   string      `json:"note,omitempty"`
}

// EnumValue is one value of an Enum.
type EnumValue struct {
	Value  string `json:"value"`
	Source Source `json:"source"`
	Drift  string `json:"drift,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Scalar is a named string or number shape with its constraints.
type Scalar struct {
	Type      string `json:"type"`
	Min       *int   `json:"min,omitempty"`
	Max       *int   `json:"max,omitempty"`
	Pattern   string `json:"pattern,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
	Source    Source `json:"source"`
}

// Structure is a named structure shape: member name to type or shape name.
type Structure struct {
	Required []string          `json:"required"`
	Members  map[string]string `json:"members"`
	Source   Source            `json:"source"`
}

// Role is a caller's relation to one handshake.
type Role struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// The caller roles of the transition table.
const (
	RoleRecipient = "recipient"
	RoleSender    = "sender"
	RoleMember    = "member"
	RoleOutsider  = "outsider"
)

// Permission says which roles may call an operation on a handshake action
// ("*" for every action).
type Permission struct {
	Operation string   `json:"operation"`
	Action    string   `json:"action"`
	Allowed   []string `json:"allowed"`
	Note      string   `json:"note"`
	Source    Source   `json:"source"`
}

// Lifecycle holds the time rules of handshakes.
type Lifecycle struct {
	InitialStates        map[string]any `json:"initialStates"`
	ExpiresAfterSeconds  int64          `json:"expiresAfterSeconds"`
	ExpiresSource        Source         `json:"expiresSource"`
	ExpiresNote          string         `json:"expiresNote"`
	RetainedAfterSeconds int64          `json:"retainedAfterSeconds"`
	RetainedSource       Source         `json:"retainedSource"`
	RetainedNote         string         `json:"retainedNote"`
}

// InitialStateSet returns the states a fresh handshake of action may have.
func (l Lifecycle) InitialStateSet(action string) []string {
	raw, _ := l.InitialStates[action].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Transition is one row of the state-transition table.
type Transition struct {
	Action    string  `json:"action"`
	State     string  `json:"state"`
	Operation string  `json:"operation"`
	Role      string  `json:"role"`
	Outcome   Outcome `json:"outcome"`
	Reachable *bool   `json:"reachable,omitempty"`
	Source    Source  `json:"source"`
	Note      string  `json:"note,omitempty"`
}

// IsReachable reports whether the row can be set up with the operations in scope.
func (t Transition) IsReachable() bool { return t.Reachable == nil || *t.Reachable }

// Outcome is what a transition row expects: a new State, or one of Errors.
// A row may allow both (the reference is silent and both are plausible).
type Outcome struct {
	State  string   `json:"state,omitempty"`
	Errors []string `json:"errors,omitempty"`
}

// DriftNote records one difference between the reference page and the model.
type DriftNote struct {
	Topic     string `json:"topic"`
	Reference string `json:"reference"`
	Model     string `json:"model"`
	Handling  string `json:"handling"`
}

var (
	loadOnce sync.Once
	loaded   *Contract
	loadErr  error
)

// Load returns the embedded contract, parsed once.
func Load() (*Contract, error) {
	loadOnce.Do(func() { loaded, loadErr = Parse(files) })
	return loaded, loadErr
}

// Must returns the embedded contract and panics if it does not parse; the
// embedded files are checked by this package's tests, so it cannot fail in a
// released binary.
func Must() *Contract {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// FS is the read-only file system the specs are read from.
type FS interface {
	ReadFile(name string) ([]byte, error)
}

// Files returns the embedded spec files.
func Files() embed.FS { return files }

// Parse reads a contract from the spec files in fsys (the embedded ones, or
// a modified copy in a test).
func Parse(fsys FS) (*Contract, error) {
	var c Contract
	var ops struct {
		Comment    string      `json:"$comment"`
		Service    Service     `json:"service"`
		Operations []Operation `json:"operations"`
	}
	var errs struct {
		Comment string        `json:"$comment"`
		Modeled []Error       `json:"modeled"`
		Common  []CommonError `json:"common"`
	}
	var enums struct {
		Comment string `json:"$comment"`
		Enums   []Enum `json:"enums"`
	}
	var shapes struct {
		Comment    string               `json:"$comment"`
		Scalars    map[string]Scalar    `json:"scalars"`
		Structures map[string]Structure `json:"structures"`
	}
	var perms struct {
		Comment string       `json:"$comment"`
		Roles   []Role       `json:"roles"`
		Rules   []Permission `json:"rules"`
	}
	var trans struct {
		Comment     string       `json:"$comment"`
		Lifecycle   Lifecycle    `json:"lifecycle"`
		Transitions []Transition `json:"transitions"`
	}
	var drift struct {
		Comment string      `json:"$comment"`
		Drift   []DriftNote `json:"drift"`
	}
	var sdk struct {
		Comment string `json:"$comment"`
		SDK
	}
	for _, f := range []struct {
		name string
		into any
	}{
		{"operations.json", &ops}, {"errors.json", &errs}, {"enums.json", &enums},
		{"shapes.json", &shapes}, {"permissions.json", &perms},
		{"transitions.json", &trans}, {"drift.json", &drift},
		{"sdk.json", &sdk},
	} {
		data, err := fsys.ReadFile(f.name)
		if err != nil {
			return nil, fmt.Errorf("specs: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f.into); err != nil {
			return nil, fmt.Errorf("specs: %s: %w", f.name, err)
		}
	}
	c.Service, c.Operations = ops.Service, ops.Operations
	c.Errors, c.CommonErrors = errs.Modeled, errs.Common
	c.Enums = enums.Enums
	c.Scalars, c.Structures = shapes.Scalars, shapes.Structures
	c.Roles, c.Permissions = perms.Roles, perms.Rules
	c.Lifecycle, c.Transitions = trans.Lifecycle, trans.Transitions
	c.Drift = drift.Drift
	c.SDK = sdk.SDK
	if err := c.checkSDK(); err != nil {
		return nil, fmt.Errorf("specs: sdk.json: %w", err)
	}
	return &c, nil
}

// Operation returns the named operation.
func (c *Contract) Operation(name string) (Operation, bool) {
	for _, o := range c.Operations {
		if o.Name == name {
			return o, true
		}
	}
	return Operation{}, false
}

// OperationByTarget returns the operation whose X-Amz-Target is target.
func (c *Contract) OperationByTarget(target string) (Operation, bool) {
	for _, o := range c.Operations {
		if o.Target == target {
			return o, true
		}
	}
	return Operation{}, false
}

// Error returns the modeled exception name.
func (c *Contract) Error(name string) (Error, bool) {
	for _, e := range c.Errors {
		if e.Name == name {
			return e, true
		}
	}
	return Error{}, false
}

// CommonError returns the common error name.
func (c *Contract) CommonError(name string) (CommonError, bool) {
	for _, e := range c.CommonErrors {
		if e.Name == name {
			return e, true
		}
	}
	return CommonError{}, false
}

// CommonErrorsFor returns the names of the common errors accepted in category
// (auth, deserialize, unknown-operation, throttle, internal).
func (c *Contract) CommonErrorsFor(category string) []string {
	var out []string
	for _, e := range c.CommonErrors {
		for _, w := range e.AcceptedWhere {
			if w == category {
				out = append(out, e.Name)
			}
		}
	}
	return out
}

// Enum returns the named enumeration.
func (c *Contract) Enum(name string) (Enum, bool) {
	for _, e := range c.Enums {
		if e.Name == name {
			return e, true
		}
	}
	return Enum{}, false
}

// Conforming returns the enum values a conforming target may send: every
// value except those only the reference page still lists.
func (e Enum) Conforming() []string {
	var out []string
	for _, v := range e.Values {
		if v.Drift != DriftReferenceOnly {
			out = append(out, v.Value)
		}
	}
	return out
}

// Has reports whether value is a conforming value of e.
func (e Enum) Has(value string) bool {
	for _, v := range e.Conforming() {
		if v == value {
			return true
		}
	}
	return false
}

// Documents reports whether op documents the exception name.
func (o Operation) Documents(name string) bool {
	for _, e := range o.Errors {
		if e.Name == name {
			return true
		}
	}
	return false
}

// ErrorNames returns the names of the exceptions op documents.
func (o Operation) ErrorNames() []string {
	out := make([]string, len(o.Errors))
	for i, e := range o.Errors {
		out[i] = e.Name
	}
	return out
}

// InputMember returns op's input member name.
func (o Operation) InputMember(name string) (Member, bool) {
	for _, m := range o.Input {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}

// Transition returns the row for action, state, operation and role.
func (c *Contract) Transition(action, state, operation, role string) (Transition, bool) {
	for _, t := range c.Transitions {
		if t.Action == action && t.State == state && t.Operation == operation && t.Role == role {
			return t, true
		}
	}
	return Transition{}, false
}

// Allowed returns the roles that may call operation on a handshake of action.
func (c *Contract) Allowed(operation, action string) []string {
	for _, p := range c.Permissions {
		if p.Operation == operation && (p.Action == action || p.Action == "*") {
			return p.Allowed
		}
	}
	return nil
}

// HandshakeID returns the HandshakeId scalar: its pattern and maximum length.
func (c *Contract) HandshakeID() Scalar { return c.Scalars["HandshakeId"] }

// SDK is what sdk.json says about aws-sdk-go-v2 service/organizations
// versions: the oldest the harness supports, the exceptions of the SDK's
// registry that are deliberately out of scope (Errors are the ones in
// scope), the expectations of goldens that hold only from a version on,
// and how each version range matches error codes to exceptions.
type SDK struct {
	OldestSupported   SDKVersion        `json:"oldestSupported"`
	ClassifiedAgainst SDKVersion        `json:"classifiedAgainst"`
	OutOfScope        []OutOfScopeError `json:"outOfScope"`
	Since             []Since           `json:"since"`
	ErrorMatching     []ErrorMatching   `json:"errorMatching"`
}

// SDKVersion is a version with its source.
type SDKVersion struct {
	Version string `json:"version"`
	Source  Source `json:"source"`
	Note    string `json:"note"`
}

// OutOfScopeError is an exception the SDK knows that the handshake API
// never raises.
type OutOfScopeError struct {
	Name   string `json:"name"`
	Source Source `json:"source"`
	Note   string `json:"note"`
}

// Since says that the expectation for a golden file (relative to golden/,
// e.g. "AcceptHandshake/errors/X.http", or a path.Match pattern such as
// "*/errors/*.http") holds from Version on; Form narrows it to one wire
// form of the error ("" every form, as recorded included), Field to one
// field ("" every field).
type Since struct {
	Golden  string `json:"golden"`
	Form    string `json:"form,omitempty"`
	Field   string `json:"field,omitempty"`
	Version string `json:"version"`
	Source  Source `json:"source"`
	Note    string `json:"note"`
}

// ErrorMatching is how SDK versions from Since on map an error code to a
// typed exception: CaseSensitive, and Scope ScopeOperation or ScopeService.
type ErrorMatching struct {
	Since         string `json:"since"`
	CaseSensitive bool   `json:"caseSensitive"`
	Scope         string `json:"scope"`
	Source        Source `json:"source"`
	Note          string `json:"note"`
}

// The scopes of ErrorMatching.
const (
	ScopeOperation = "operation" // only the exceptions the called operation documents
	ScopeService   = "service"   // every exception of the service
)

// sdkVersionPattern is the syntax of an SDK module version in sdk.json.
var sdkVersionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// checkSDK rejects malformed versions, unknown scopes and an exception
// classified twice.
func (c *Contract) checkSDK() error {
	versions := []string{c.SDK.OldestSupported.Version, c.SDK.ClassifiedAgainst.Version}
	for _, s := range c.SDK.Since {
		if s.Golden == "" {
			return fmt.Errorf("since entry without golden")
		}
		versions = append(versions, s.Version)
	}
	for _, m := range c.SDK.ErrorMatching {
		if m.Scope != ScopeOperation && m.Scope != ScopeService {
			return fmt.Errorf("errorMatching since %s: scope %q, want %q or %q", m.Since, m.Scope, ScopeOperation, ScopeService)
		}
		versions = append(versions, m.Since)
	}
	for _, v := range versions {
		if !sdkVersionPattern.MatchString(v) {
			return fmt.Errorf("version %q is not of the form vMAJOR.MINOR.PATCH", v)
		}
	}
	seen := map[string]bool{}
	for _, e := range c.Errors {
		seen[e.Name] = true
	}
	for _, e := range c.SDK.OutOfScope {
		if seen[e.Name] {
			return fmt.Errorf("%s is both out of scope and in errors.json (or listed twice)", e.Name)
		}
		seen[e.Name] = true
	}
	return nil
}

// Classification says whether the exception name is in scope (a modeled
// exception of errors.json), out of scope (sdk.json), or neither ("").
func (c *Contract) Classification(name string) string {
	if _, ok := c.Error(name); ok {
		return "in scope"
	}
	for _, e := range c.SDK.OutOfScope {
		if e.Name == name {
			return "out of scope"
		}
	}
	return ""
}
