package reftarget

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/orgconform/orgconform/specs"
)

// MaxLatency is the largest Options.Latency: well inside WriteTimeout, so a
// delayed answer is never cut off by the server's own deadline.
const MaxLatency = 10 * time.Second

// Validate reports the first problem with o: an operation in Without that
// specs/ does not name, a Latency outside [0, MaxLatency], or a Fault or
// Variant the catalogue does not name.
func (o Options) Validate() error {
	return o.validate(specs.Must())
}

func (o Options) validate(c *specs.Contract) error {
	known := operationNames(c)
	for _, name := range o.Without {
		if !slices.Contains(known, name) {
			return fmt.Errorf("reftarget: Without: %q is not an operation (operations: %s)", name, strings.Join(known, ", "))
		}
	}
	if o.Latency < 0 || o.Latency > MaxLatency {
		return fmt.Errorf("reftarget: Latency %s is outside [0, %s]", o.Latency, MaxLatency)
	}
	return o.validateNames()
}

// operationNames lists the operations of c, sorted.
func operationNames(c *specs.Contract) []string {
	names := make([]string, 0, len(c.Operations))
	for _, op := range c.Operations {
		names = append(names, op.Name)
	}
	slices.Sort(names)
	return names
}

// NewChecked is New for options that come from a user: invalid options
// (see Options.Validate) are an error instead of a panic.
func NewChecked(opts Options) (*Server, error) {
	c := specs.Must()
	if err := opts.validate(c); err != nil {
		return nil, err
	}
	return newServer(c, opts)
}

// missingOperations returns the operations that answer "not implemented"
// under opts: Without, and CreateOrganization when organizations are
// implicit.
func missingOperations(opts Options) map[string]bool {
	missing := map[string]bool{}
	for _, name := range opts.Without {
		missing[name] = true
	}
	if opts.ImplicitOrganizations {
		missing["CreateOrganization"] = true
	}
	return missing
}

// notImplementedBody is LocalStack's answer to an operation it lacks; note
// the lower-case "message", unlike the AWS error document.
type notImplementedBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// writeNotImplemented answers op as LocalStack answers an operation it does
// not implement: 501 InternalFailure.
func writeNotImplemented(w http.ResponseWriter, op string) {
	w.Header().Set("X-Amzn-ErrorType", errInternal)
	writeJSON(w, http.StatusNotImplemented, notImplementedBody{
		Type:    errInternal,
		Message: "API action '" + op + "' for service 'organizations' not yet implemented or pro feature",
	})
}

// implicitOrganizationOps are the operations that, with
// Options.ImplicitOrganizations, give a caller in no organization one of its
// own before they run: those that need the caller's organization.
// LeaveOrganization and DeleteOrganization do not (they still answer
// AWSOrganizationsNotInUseException), nor do the handshake operations, so
// an invited account stays free to accept.
var implicitOrganizationOps = map[string]bool{
	"DescribeOrganization":          true,
	"ListAccounts":                  true,
	"InviteAccountToOrganization":   true,
	"EnableAllFeatures":             true,
	"ListHandshakesForOrganization": true,
	"RemoveAccountFromOrganization": true,
}

// ensureOrganization gives the caller an organization of its own (all
// features, the caller its management account, joined CREATED) when op
// needs one, organizations are implicit and the caller belongs to none.
func (s *Server) ensureOrganization(op string, c *call) {
	if !s.implicitOrgs || !implicitOrganizationOps[op] {
		return
	}
	if _, in := s.st.members[c.account]; in {
		return
	}
	s.createOrg(c.account, featuresAll, c.now)
}

// missingNames lists the operations that answer "not implemented", sorted.
func (s *Server) missingNames() []string {
	names := make([]string, 0, len(s.missing))
	for name := range s.missing {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// delay waits Options.Latency before an API answer, giving up (false)
// when the client does: a client that stops waiting frees the handler.
func (s *Server) delay(ctx context.Context) bool {
	if s.latency <= 0 {
		return true
	}
	t := time.NewTimer(s.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
