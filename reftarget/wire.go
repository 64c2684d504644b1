package reftarget

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// maxBodyBytes is the largest request body the target reads (1 MiB).
const maxBodyBytes = 1 << 20

// defaultAccount is the caller's account when the access key id is not
// twelve digits (LocalStack's convention).
const defaultAccount = "000000000000"

// SharedAccountID is the one account Options.SharedAccount serves every
// caller as: moto's default account.
const SharedAccountID = "123456789012"

// apiError is an AWS error response: the __type, the HTTP status, the
// Message and, for exceptions that carry one, the Reason.
type apiError struct {
	Type    string
	Status  int
	Message string
	Reason  string
	op      string // the operation that refused, for the planted faults that rename errors
}

// Error implements error.
func (e *apiError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s (%s): %s", e.Type, e.Reason, e.Message)
	}
	return e.Type + ": " + e.Message
}

// errorBody is the awsJson1_1 error document.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"Message"`
	Reason  string `json:"Reason,omitempty"`
}

// The error names this target sends.
const (
	errAccessDenied           = "AccessDeniedException"
	errNotInUse               = "AWSOrganizationsNotInUseException"
	errAccountNotFound        = "AccountNotFoundException"
	errConcurrentModification = "ConcurrentModificationException"
	errAlreadyInOrganization  = "AlreadyInOrganizationException"
	errConstraintViolation    = "ConstraintViolationException"
	errDuplicateHandshake     = "DuplicateHandshakeException"
	errAlreadyInState         = "HandshakeAlreadyInStateException"
	errHandshakeConstraint    = "HandshakeConstraintViolationException"
	errHandshakeNotFound      = "HandshakeNotFoundException"
	errInvalidTransition      = "InvalidHandshakeTransitionException"
	errInvalidInput           = "InvalidInputException"
	errMasterCannotLeave      = "MasterCannotLeaveOrganizationException"
	errOrganizationNotEmpty   = "OrganizationNotEmptyException"
	errMissingToken           = "MissingAuthenticationTokenException"
	errSerialization          = "SerializationException"
	errUnknownOperation       = "UnknownOperationException"
	errTooLarge               = "RequestEntityTooLargeException"
	errInternal               = "InternalFailure"
)

// statusOverrides are the statuses of errors specs/ does not model.
var statusOverrides = map[string]int{errTooLarge: http.StatusRequestEntityTooLarge}

// newError builds the named error; its status comes from specs/ when the
// server is built (see Server.status).
func newError(name, format string, args ...any) *apiError {
	return &apiError{Type: name, Message: fmt.Sprintf(format, args...)}
}

// withReason sets the error's Reason and returns it.
func (e *apiError) withReason(reason string) *apiError {
	e.Reason = reason
	return e
}

// invalidInput is an InvalidInputException with reason.
func invalidInput(reason, format string, args ...any) *apiError {
	return newError(errInvalidInput, format, args...).withReason(reason)
}

// handshakeConstraint is a HandshakeConstraintViolationException with reason.
func handshakeConstraint(reason, format string, args ...any) *apiError {
	return newError(errHandshakeConstraint, format, args...).withReason(reason)
}

// credentialRe finds the access key id in a SigV4 Authorization header.
var credentialRe = regexp.MustCompile(`Credential=([^/,\s]*)/`)

// accountIDRe is a twelve-digit AWS account id.
var accountIDRe = regexp.MustCompile(`^\d{12}$`)

// callerAccount returns the caller's account from the Authorization header
// (false when there is none): the SigV4 access key id when it is twelve
// digits, otherwise defaultAccount. Signatures are not verified.
func callerAccount(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "", false
	}
	if m := credentialRe.FindStringSubmatch(auth); m != nil && accountIDRe.MatchString(m[1]) {
		// A copy: the substring would keep the whole header alive in
		// everything that stores the account.
		return strings.Clone(m[1]), true
	}
	return defaultAccount, true
}

// writeJSON writes status and v as an awsJson1_1 document.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(errorBody{Type: errInternal, Message: "encoding the response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes e as an awsJson1_1 error document.
func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	writeJSON(w, e.Status, errorBody{Type: e.Type, Message: e.Message, Reason: e.Reason})
}
