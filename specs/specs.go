// Package specs is the AWS Organizations handshake contract as data: the
// operations, their errors and reason codes, the named shapes, who may call
// what, the handshake state-transition table, the drift between the API
// reference page and the current SDK model, and what holds of which
// aws-sdk-go-v2 version (sdk.json).
//
// The facts live in the JSON files of this folder, embedded in the binary.
// Every fact carries its source: "reference" (the API page), "model" (the
// SDK/botocore model), "guide" (the AWS Organizations User Guide and its CLI
// transcripts) or "assumption" (with a sentence of reasoning). This package
// imports nothing else of orgconform.
package specs

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

//go:embed *.json
var files embed.FS

// Source says where a fact comes from.
type Source string

// The sources a fact may cite. SourceGuide is the AWS Organizations User
// Guide (awsdocs/aws-organizations-docs), whose CLI transcripts show real
// responses; the note says which page.
const (
	SourceReference  Source = "reference"
	SourceModel      Source = "model"
	SourceGuide      Source = "guide"
	SourceAssumption Source = "assumption"
)

// Sources lists every valid Source.
var Sources = []Source{SourceReference, SourceModel, SourceGuide, SourceAssumption}

// Drift values mark facts on which the reference page and the model
// disagree. DriftDocumentationOnly marks enum values that the model's enum
// lacks but its documentation (and the page) still lists: a target may send
// them.
const (
	DriftModelOnly         = "model-only"
	DriftReferenceOnly     = "reference-only"
	DriftDocumentationOnly = "documentation-only"
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
	// Limits are the quotas and waits of live AWS that the scenarios meet
	// (limits.json).
	Limits []Limit
	// PartyIDForms and ResourceValueForms say which forms a handshake
	// party's Id (by party Type) and a resource's Value (by resource Type)
	// may take (shapes.json "idForms"); see PartyIDs and ResourceValues.
	PartyIDForms       map[string][]IDForm
	ResourceValueForms map[string][]IDForm
	// SDK is what holds of which aws-sdk-go-v2 version (sdk.json).
	SDK SDK
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
// HTTPStatus is the status the reference target sends; HTTPStatuses, when
// set, lists every status a target may send with it (it includes
// HTTPStatus).
type CommonError struct {
	Name          string   `json:"name"`
	HTTPStatus    int      `json:"httpStatus"`
	HTTPStatuses  []int    `json:"httpStatuses,omitempty"`
	Fault         string   `json:"fault"`
	When          string   `json:"when"`
	AcceptedWhere []string `json:"acceptedWhere"`
	Source        Source   `json:"source"`
	Note          string   `json:"note,omitempty"`
}

// Statuses returns the HTTP statuses a target may send with e.
func (e CommonError) Statuses() []int {
	if len(e.HTTPStatuses) > 0 {
		return e.HTTPStatuses
	}
	return []int{e.HTTPStatus}
}

// Enum is an enumeration with the source of each value.
type Enum struct {
	Name   string      `json:"name"`
	Values []EnumValue `json:"values"`
	Note   string      `json:"note,omitempty"`
}

// EnumValue is one value of an Enum. SameAs names the value of the model's
// enum that this one is another name for (a documentation-only value such as
// INVALID_PAGINATION_TOKEN, the page's and the model documentation's name for
// INVALID_NEXT_TOKEN).
type EnumValue struct {
	Value  string `json:"value"`
	Source Source `json:"source"`
	Drift  string `json:"drift,omitempty"`
	SameAs string `json:"sameAs,omitempty"`
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
	Note      string `json:"note,omitempty"`
}

// IDForm is one form an identifier may take where AWS shows it: Form
// "as-is" (the entity's own id, e.g. o-exampleorgid) or "without-prefix"
// (the id with Prefix removed, e.g. exampleorgid).
type IDForm struct {
	Form    string `json:"form"`
	Prefix  string `json:"prefix,omitempty"`
	Example string `json:"example"`
	Source  Source `json:"source"`
	Note    string `json:"note"`
}

// The forms of IDForm.
const (
	FormAsIs          = "as-is"
	FormWithoutPrefix = "without-prefix"
)

// render returns id in form f.
func (f IDForm) render(id string) string {
	if f.Form == FormWithoutPrefix {
		return strings.TrimPrefix(id, f.Prefix)
	}
	return id
}

// idsIn returns id in every form of forms (id itself when forms is empty),
// without duplicates.
func idsIn(forms []IDForm, id string) []string {
	if len(forms) == 0 {
		return []string{id}
	}
	var out []string
	for _, f := range forms {
		if v := f.render(id); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// PartyIDs returns the values a handshake party of partyType may carry as
// its Id for the entity id: for ORGANIZATION both the organization id
// (o-exampleorgid) and the id without its "o-" prefix, as the User Guide's
// transcripts show.
func (c *Contract) PartyIDs(partyType, id string) []string {
	return idsIn(c.PartyIDForms[partyType], id)
}

// ResourceValues returns the values a handshake resource of resourceType may
// carry for the entity id: for PARENT_HANDSHAKE the parent's handshake id
// with or without its "h-" prefix.
func (c *Contract) ResourceValues(resourceType, id string) []string {
	return idsIn(c.ResourceValueForms[resourceType], id)
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
// ("*" for every action). Undecided lists roles the sources neither allow
// nor forbid: a target may grant or refuse them.
type Permission struct {
	Operation string   `json:"operation"`
	Action    string   `json:"action"`
	Allowed   []string `json:"allowed"`
	Undecided []string `json:"undecided,omitempty"`
	Note      string   `json:"note"`
	Source    Source   `json:"source"`
}

// Lifecycle holds the time rules of handshakes. Actions holds them per
// action; InitialStates, ExpiresAfterSeconds, ExpiresSource and ExpiresNote
// are derived from it when the contract is parsed and kept for callers
// written before per-action rules: InitialStates maps each action to its
// initial states ([]any of string), and the Expires* fields are those of
// INVITE.
type Lifecycle struct {
	Actions              map[string]ActionLifecycle `json:"actions"`
	InitialStates        map[string]any             `json:"-"`
	ExpiresAfterSeconds  int64                      `json:"-"`
	ExpiresSource        Source                     `json:"-"`
	ExpiresNote          string                     `json:"-"`
	RetainedAfterSeconds int64                      `json:"retainedAfterSeconds"`
	RetainedSource       Source                     `json:"retainedSource"`
	RetainedNote         string                     `json:"retainedNote"`
}

// ActionLifecycle is how handshakes of one action are made and age.
type ActionLifecycle struct {
	// CreatedBy is the operation that creates handshakes of this action
	// ("" when none in scope does), or the action whose handshake creates
	// them (see ParentAction).
	CreatedBy string `json:"createdBy"`
	// Sender and Recipient name the accounts: management-account,
	// invited-account, member-account, other-management-account.
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	// PartyTypes and ResourceTypes are the handshake's parties and
	// top-level resources: one of each group, in any order.
	// OptionalResourceTypes may appear besides.
	PartyTypes            [][]string `json:"partyTypes"`
	ResourceTypes         [][]string `json:"resourceTypes"`
	OptionalResourceTypes []string   `json:"optionalResourceTypes,omitempty"`
	ShapeSource           Source     `json:"shapeSource"`
	ShapeNote             string     `json:"shapeNote"`
	// ChildAction is the action of the handshakes this one waits for (one
	// per invited member account); ParentAction the action of the handshake
	// a child belongs to (named by its PARENT_HANDSHAKE resource).
	ChildAction  string `json:"childAction,omitempty"`
	ParentAction string `json:"parentAction,omitempty"`
	// InitialStates are the states a fresh handshake may have.
	// InitialStatesWithoutChildren, for an action with children, are those
	// when there is no child to wait for (accepting it then succeeds).
	InitialStates                []string `json:"initialStates"`
	InitialStatesWithoutChildren []string `json:"initialStatesWithoutChildren,omitempty"`
	InitialSource                Source   `json:"initialSource"`
	InitialNote                  string   `json:"initialNote"`
	// OpensWhen says when a REQUESTED handshake becomes OPEN ("" if never).
	OpensWhen string `json:"opensWhen,omitempty"`
	// ExpiresAfterSeconds is ExpirationTimestamp - RequestedTimestamp (0:
	// unknown).
	ExpiresAfterSeconds int64  `json:"expiresAfterSeconds"`
	ExpiresSource       Source `json:"expiresSource"`
	ExpiresNote         string `json:"expiresNote"`
}

// InitialStateSet returns the states a fresh handshake of action may have.
func (l Lifecycle) InitialStateSet(action string) []string {
	if a, ok := l.Actions[action]; ok {
		return slices.Clone(a.InitialStates)
	}
	raw, _ := l.InitialStates[action].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// ExpiresAfter returns how long after its request a handshake of action
// expires, and false when the sources do not say.
func (l Lifecycle) ExpiresAfter(action string) (time.Duration, bool) {
	a, ok := l.Actions[action]
	if !ok || a.ExpiresAfterSeconds <= 0 {
		return 0, false
	}
	return time.Duration(a.ExpiresAfterSeconds) * time.Second, true
}

// RetainedFor returns how long a handshake stays visible after it reached
// ACCEPTED, DECLINED, CANCELED or EXPIRED.
func (l Lifecycle) RetainedFor() time.Duration {
	return time.Duration(l.RetainedAfterSeconds) * time.Second
}

// derive fills the fields kept for older callers from Actions.
func (l *Lifecycle) derive() {
	l.InitialStates = map[string]any{}
	for name, a := range l.Actions {
		states := make([]any, len(a.InitialStates))
		for i, st := range a.InitialStates {
			states[i] = st
		}
		l.InitialStates[name] = states
	}
	if inv, ok := l.Actions["INVITE"]; ok {
		l.ExpiresAfterSeconds, l.ExpiresSource, l.ExpiresNote = inv.ExpiresAfterSeconds, inv.ExpiresSource, inv.ExpiresNote
	}
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
// Reasons restricts the Reason an exception of Errors may carry (exception
// name to the allowed values); an exception it does not name may carry any
// reason of its enum.
type Outcome struct {
	State   string              `json:"state,omitempty"`
	Errors  []string            `json:"errors,omitempty"`
	Reasons map[string][]string `json:"reasons,omitempty"`
}

// AllowsError reports whether the row accepts the exception code with
// reason ("" when the body carries none).
func (o Outcome) AllowsError(code, reason string) bool {
	if !slices.Contains(o.Errors, code) {
		return false
	}
	allowed, restricted := o.Reasons[code]
	return !restricted || slices.Contains(allowed, reason)
}

// DriftNote records one difference between the sources: the reference
// page, the model and, where it settles the matter, the User Guide.
type DriftNote struct {
	Topic     string `json:"topic"`
	Reference string `json:"reference"`
	Model     string `json:"model"`
	Guide     string `json:"guide,omitempty"`
	Handling  string `json:"handling"`
}

// Limit is a quota or wait of live AWS that a scenario may meet: how much
// (Value in Unit; nil when AWS documents no number), where (Scope,
// Operations) and what a caller gets past it (Errors).
type Limit struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Value       *int64       `json:"value"`
	Unit        string       `json:"unit"`
	Scope       string       `json:"scope"`
	Operations  []string     `json:"operations"`
	Errors      []LimitError `json:"errors"`
	Source      Source       `json:"source"`
	Note        string       `json:"note"`
}

// LimitError is an exception (and reason) a limit answers with.
type LimitError struct {
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"`
}

// Duration returns the limit's value as a duration when its unit is
// seconds.
func (l Limit) Duration() (time.Duration, bool) {
	if l.Value == nil || l.Unit != "seconds" {
		return 0, false
	}
	return time.Duration(*l.Value) * time.Second, true
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
		IDForms    struct {
			Comment   string              `json:"$comment"`
			Parties   map[string][]IDForm `json:"parties"`
			Resources map[string][]IDForm `json:"resources"`
		} `json:"idForms"`
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
	var limits struct {
		Comment string  `json:"$comment"`
		Limits  []Limit `json:"limits"`
	}
	for _, f := range []struct {
		name string
		into any
	}{
		{"operations.json", &ops}, {"errors.json", &errs}, {"enums.json", &enums},
		{"shapes.json", &shapes}, {"permissions.json", &perms},
		{"transitions.json", &trans}, {"drift.json", &drift}, {"limits.json", &limits},
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
	c.PartyIDForms, c.ResourceValueForms = shapes.IDForms.Parties, shapes.IDForms.Resources
	c.Lifecycle, c.Transitions = trans.Lifecycle, trans.Transitions
	c.Lifecycle.derive()
	c.Drift = drift.Drift
	c.Limits = limits.Limits
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
// value except those only the reference page still lists (documentation-only
// values are conforming).
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

// Equivalents returns value and every other name of it in e (its SameAs
// target and the values that name it as SameAs).
func (e Enum) Equivalents(value string) []string {
	canon := value
	for _, v := range e.Values {
		if v.Value == value && v.SameAs != "" {
			canon = v.SameAs
		}
	}
	out := []string{canon}
	for _, v := range e.Values {
		if v.SameAs != "" && v.SameAs == canon && !slices.Contains(out, v.Value) {
			out = append(out, v.Value)
		}
	}
	return out
}

// Limit returns the named limit.
func (c *Contract) Limit(name string) (Limit, bool) {
	for _, l := range c.Limits {
		if l.Name == name {
			return l, true
		}
	}
	return Limit{}, false
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
// field ("" every field). With From, the entry is a known regression
// instead: the expectation held before From, fails from From on, and
// holds again from Version.
type Since struct {
	Golden  string `json:"golden"`
	Form    string `json:"form,omitempty"`
	Field   string `json:"field,omitempty"`
	From    string `json:"from,omitempty"`
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
