package reftarget

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/orgconform/orgconform/specs"
)

// Options configures a Server. The zero value is ready to use.
type Options struct {
	// Now is the base clock (time.Now when nil). The test-control endpoint
	// moves the target's clock forward from it.
	Now func() time.Time
	// Log, when set, receives one line per request: method, operation,
	// caller account, status and duration (never the Authorization header).
	Log io.Writer
	// Without lists operations (by name, as in specs/operations.json) that
	// answer as LocalStack answers an operation it lacks: HTTP 501
	// {"__type":"InternalFailure","message":"API action '<Op>' for service
	// 'organizations' not yet implemented or pro feature"}. For tests of
	// how the checks cope with incomplete emulators.
	Without []string
	// ImplicitOrganizations makes CreateOrganization answer as not
	// implemented (as Without does) and gives an account in no
	// organization one of its own (FeatureSet ALL, the account its
	// management account, JoinedMethod CREATED) on its first call that
	// needs one: DescribeOrganization, ListAccounts,
	// InviteAccountToOrganization, EnableAllFeatures,
	// ListHandshakesForOrganization, RemoveAccountFromOrganization.
	ImplicitOrganizations bool
	// SharedAccount serves every signed caller as one account,
	// SharedAccountID, whatever account its credentials name, as moto
	// does (its default account is 123456789012). For tests of how the
	// checks cope with a target that cannot tell callers apart.
	SharedAccount bool
	// Latency delays every API answer (errors included, test-control
	// endpoints excluded) by this much, outside the state lock; a client
	// that gives up meanwhile frees the handler, and its request has no
	// effect. It stands in for slow emulators (Python ones answer in about
	// 40 ms) in tests and benchmarks. At most MaxLatency.
	Latency time.Duration
	// Fault plants one fault of the catalogue (Faults, "runner faults"):
	// a realistic emulator bug that breaks one point of the contract, for
	// measuring which checks catch it. "" plants none.
	Fault string
	// Variant makes one equivalent variant of the catalogue (Variants): an
	// answer the sources allow where the reference target picks another,
	// which every check must accept. "" makes none.
	Variant string
}

// Server is the reference target: an http.Handler that speaks awsJson1_1
// for the handshake operations of specs/ and serves the test-control
// endpoints under /_orgconform/. It is safe for concurrent use.
type Server struct {
	contract  *specs.Contract
	ops       map[string]operation     // by X-Amz-Target
	status    map[string]int           // error name -> HTTP status
	expiry    map[string]time.Duration // handshake lifetime by action (specs lifecycle)
	retention time.Duration
	clock     *clock

	missing       map[string]bool // operations that answer "not implemented"
	implicitOrgs  bool            // Options.ImplicitOrganizations
	sharedAccount bool            // Options.SharedAccount
	latency       time.Duration   // Options.Latency

	// What a planted fault or variant may change (faults.go); the values
	// newServer sets are the reference behaviour.
	hooks          *hooks // nil: none planted
	responses      map[string]response
	effects        map[string]func(s *Server, h *handshake, c *call) *apiError
	initial        map[string]string // initial state by action
	handshakeIDLen int               // characters after "h-"
	orgIDLen       int               // characters after "o-"
	maxBody        int64             // the largest request body read

	logMu sync.Mutex
	log   io.Writer

	mu sync.Mutex // serializes every operation: requests are linearizable
	st *state
}

// operation is one API operation: its input rules and its handler.
type operation struct {
	name  string
	rules []rule
	run   handler
}

// handler runs one operation for a call, under Server.mu.
type handler func(s *Server, c *call) (any, *apiError)

// handlers are the implementations, by operation name.
var handlers = map[string]handler{
	"AcceptHandshake":               (*Server).acceptHandshake,
	"DeclineHandshake":              (*Server).declineHandshake,
	"CancelHandshake":               (*Server).cancelHandshake,
	"DescribeHandshake":             (*Server).describeHandshake,
	"InviteAccountToOrganization":   (*Server).inviteAccount,
	"ListHandshakesForAccount":      (*Server).listHandshakesForAccount,
	"ListHandshakesForOrganization": (*Server).listHandshakesForOrganization,
	"EnableAllFeatures":             (*Server).enableAllFeatures,
	"CreateOrganization":            (*Server).createOrganization,
	"DescribeOrganization":          (*Server).describeOrganization,
	"ListAccounts":                  (*Server).listAccounts,
	"RemoveAccountFromOrganization": (*Server).removeAccount,
	"LeaveOrganization":             (*Server).leaveOrganization,
	"DeleteOrganization":            (*Server).deleteOrganization,
}

// call is one API request as a handler sees it.
type call struct {
	account string // the caller's account
	body    []byte
	now     time.Time
	op      string // the operation's name
}

// decode unmarshals the (already validated) request body into v. Member
// names match exactly, as awsJson1_1's do: encoding/json alone would let
// an unknown "handshakeId" fill (or break) HandshakeId, where AWS ignores
// it as the unknown member it is.
func (c *call) decode(v any) *apiError {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	body, err := exactMembers(c.body, reflect.TypeOf(v))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		return newError(errSerialization, "decoding the request: %v", err)
	}
	return nil
}

// exactMembers is the JSON value data with, in every object that decodes
// into a struct of t, only the members whose names are exactly a field's.
func exactMembers(data []byte, t reflect.Type) ([]byte, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
			return data, nil // not an object: Unmarshal says what is wrong
		}
		out := make(map[string]json.RawMessage, len(obj))
		for name, ft := range members(t) {
			raw, ok := obj[name]
			if !ok {
				continue
			}
			inner, err := exactMembers(raw, ft)
			if err != nil {
				return nil, err
			}
			out[name] = inner
		}
		return json.Marshal(out)
	case reflect.Slice:
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			return data, nil
		}
		for i, raw := range items {
			inner, err := exactMembers(raw, t.Elem())
			if err != nil {
				return nil, err
			}
			items[i] = inner
		}
		return json.Marshal(items)
	}
	return data, nil
}

// New returns a reference target with empty state. It panics if the
// embedded specs do not load or name an operation it does not implement
// (both caught by this package's tests), or if opts is invalid (see
// Options.Validate); NewChecked returns those as errors instead.
func New(opts Options) *Server {
	s, err := NewChecked(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// newServer builds a server for contract c.
func newServer(c *specs.Contract, opts Options) (*Server, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		contract:  c,
		ops:       map[string]operation{},
		status:    map[string]int{},
		expiry:    map[string]time.Duration{},
		retention: c.Lifecycle.RetainedFor(),
		clock:     &clock{base: now},
		log:       opts.Log,
		st:        newState(),

		missing:       missingOperations(opts),
		implicitOrgs:  opts.ImplicitOrganizations,
		sharedAccount: opts.SharedAccount,
		latency:       opts.Latency,

		responses:      map[string]response{"AcceptHandshake": acceptResponse, "DeclineHandshake": declineResponse, "CancelHandshake": cancelResponse},
		effects:        maps.Clone(acceptEffects),
		initial:        maps.Clone(initialStates),
		handshakeIDLen: 10,
		orgIDLen:       10,
		maxBody:        maxBodyBytes,
	}
	for _, action := range []string{actionInvite, actionEnable, actionApprove} {
		d, ok := c.Lifecycle.ExpiresAfter(action)
		if !ok {
			return nil, fmt.Errorf("reftarget: specs give no expiry for %s handshakes", action)
		}
		s.expiry[action] = d
	}
	for _, op := range c.Operations {
		run, ok := handlers[op.Name]
		if !ok {
			return nil, fmt.Errorf("reftarget: specs operation %s has no handler", op.Name)
		}
		rules, err := rulesFor(c, op)
		if err != nil {
			return nil, fmt.Errorf("reftarget: %w", err)
		}
		s.ops[op.Target] = operation{name: op.Name, rules: rules, run: run}
	}
	for _, e := range c.Errors {
		s.status[e.Name] = e.HTTPStatus
	}
	for _, e := range c.CommonErrors {
		s.status[e.Name] = e.HTTPStatus
	}
	for name, st := range statusOverrides {
		s.status[name] = st
	}
	for _, name := range []string{opts.Fault, opts.Variant} {
		if name == "" {
			continue
		}
		f, _ := lookupFault(name)
		if s.hooks == nil {
			s.hooks = &hooks{}
		}
		f.plant(s)
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if s.hooks == nil || !s.hooks.noRequestID {
		w.Header().Set("x-amzn-RequestId", newUUID())
	}
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		status := s.serveControl(w, r)
		s.logf("%s %s status=%d %s", r.Method, r.URL.Path, status, time.Since(start).Round(time.Microsecond))
		return
	}
	out, send := s.rewriting(w)
	op, account, status := s.serveAPI(out, r)
	send()
	if account == "" {
		account = "-"
	}
	s.logf("%s %s account=%s status=%d %s", r.Method, op, account, status, time.Since(start).Round(time.Microsecond))
}

// serveAPI answers one AWS API request and returns what the log line needs.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) (opName, account string, status int) {
	fail := func(e *apiError) (string, string, int) {
		e.op = opName
		return opName, account, s.writeFailure(w, e)
	}
	opName = r.Header.Get("X-Amz-Target")
	if opName == "" {
		opName = "-"
	}
	// Read the body first: the server notices a client that hangs up only
	// once the body is consumed, and the delay must end when it does.
	var body []byte
	var readErr error
	if r.ContentLength <= s.maxBody {
		body, readErr = io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	}
	if !s.delay(r.Context()) {
		return opName, "", statusClientGone
	}
	tooLarge := func() (string, string, int) {
		if s.hooks != nil && s.hooks.tooLarge != nil && s.hooks.tooLarge(w) {
			return opName, account, http.StatusRequestEntityTooLarge
		}
		return fail(newError(errTooLarge, "the request body is larger than %d bytes", s.maxBody))
	}
	if r.ContentLength > s.maxBody {
		return tooLarge()
	}
	account, ok := callerAccount(r)
	if !ok && s.hooks != nil && s.hooks.unsigned {
		account, ok = defaultAccount, true
	}
	if !ok {
		return fail(newError(errMissingToken, "Missing Authentication Token"))
	}
	if s.sharedAccount {
		account = SharedAccountID
	}
	op, ok := s.ops[r.Header.Get("X-Amz-Target")]
	if !ok || r.Method != http.MethodPost || r.URL.Path != "/" {
		if s.hooks != nil && s.hooks.unknownOperation != nil && s.hooks.unknownOperation(w) {
			return opName, account, http.StatusNotFound
		}
		return fail(newError(errUnknownOperation, "no operation for %s %s with X-Amz-Target %q", r.Method, r.URL.Path, r.Header.Get("X-Amz-Target")))
	}
	opName = op.name
	if s.hooks != nil && s.hooks.crash[op.name] {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<!doctype html><html><title>500 Internal Server Error</title><h1>Internal Server Error</h1></html>"))
		return opName, account, http.StatusInternalServerError
	}
	if s.missing[op.name] {
		writeNotImplemented(w, op.name)
		return opName, account, http.StatusNotImplemented
	}
	if readErr != nil {
		if _, isTooLarge := errors.AsType[*http.MaxBytesError](readErr); isTooLarge {
			return tooLarge()
		}
		return fail(newError(errSerialization, "reading the request body: %v", readErr))
	}
	obj, e := parseObject(body)
	if e == nil {
		e = checkTypes(op.rules, obj)
	}
	if e == nil {
		e = checkConstraints(op.rules, obj)
	}
	if e != nil {
		return fail(e)
	}
	out, e := s.run(op, &call{account: account, body: body, op: op.name})
	if e != nil {
		return fail(e)
	}
	s.writeSuccess(w, out)
	return opName, account, http.StatusOK
}

// run runs op for c under the state lock (released however op ends).
func (s *Server) run(op operation, c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.clock.now()
	s.sweep(c.now)
	s.ensureOrganization(op.name, c)
	return op.run(s, c)
}

// writeFailure writes e with its HTTP status and returns the status.
func (s *Server) writeFailure(w http.ResponseWriter, e *apiError) int {
	if s.hooks != nil && s.hooks.rename != nil {
		s.hooks.rename(e)
	}
	e.Status = s.statusOf(e.Type)
	if s.hooks != nil && s.hooks.noErrorRequestID {
		w.Header().Del("x-amzn-RequestId")
	}
	if s.hooks != nil && s.hooks.errorForm != nil {
		s.hooks.errorForm(w, e)
		return e.Status
	}
	writeError(w, e)
	return e.Status
}

// writeSuccess writes an operation's output.
func (s *Server) writeSuccess(w http.ResponseWriter, out any) {
	if s.hooks != nil && s.hooks.contentType != "" {
		body, _ := json.Marshal(out)
		w.Header().Set("Content-Type", s.hooks.contentType)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// statusClientGone is the status logged for a request whose client gave up
// before the answer (nginx's 499); nothing is written.
const statusClientGone = 499

// statusOf returns the HTTP status of the named error (400 if unknown).
func (s *Server) statusOf(name string) int {
	if st, ok := s.status[name]; ok {
		return st
	}
	return http.StatusBadRequest
}

// logf writes one log line when logging is on.
func (s *Server) logf(format string, args ...any) {
	if s.log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.log, time.Now().UTC().Format("2006-01-02T15:04:05.000Z")+" "+format+"\n", args...)
}

// The timeouts of the http.Server that Start and NewHTTPServer build.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 30 * time.Second
	IdleTimeout       = 120 * time.Second
)

// NewHTTPServer returns an http.Server for h with the package's timeouts.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
	}
}

// Start listens on addr (host:port; port 0 picks a free one) and serves s
// in the background. It returns the base URL (http://host:port) and a
// shutdown function that stops accepting connections and waits for active
// requests until ctx is done (http.Server.Shutdown).
func (s *Server) Start(addr string) (url string, shutdown func(context.Context) error, err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("reftarget: listen on %s: %w", addr, err)
	}
	srv := NewHTTPServer(s)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	shutdown = func(ctx context.Context) error {
		if err := srv.Shutdown(ctx); err != nil {
			return fmt.Errorf("reftarget: shutdown: %w", err)
		}
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("reftarget: serve: %w", err)
		}
		return nil
	}
	return "http://" + l.Addr().String(), shutdown, nil
}

// members are the JSON member names of struct type t and their types,
// those of embedded structs without a name of their own included.
func members(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case name == "" && f.Anonymous && f.Type.Kind() == reflect.Struct:
			for n, ft := range members(f.Type) {
				out[n] = ft
			}
		case name == "":
			out[f.Name] = f.Type
		default:
			out[name] = f.Type
		}
	}
	return out
}
