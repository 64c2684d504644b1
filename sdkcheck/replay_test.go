package sdkcheck

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	smithy "github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/schemas"
)

const op = "AcceptHandshake"

// replay is an httptest server that answers every request with one message
// and keeps the last request it received.
type replay struct {
	srv *httptest.Server

	mu      sync.Mutex
	resp    *golden.Message
	lastReq *http.Request
	lastBod []byte
}

func newReplay(t *testing.T) *replay {
	r := &replay{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		resp := r.resp
		r.lastReq, r.lastBod = req, body
		r.mu.Unlock()
		resp.Serve(w)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *replay) serve(m *golden.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resp = m
}

// client builds a real Organizations client aimed at the replay server,
// without reading any configuration of the machine.
func (r *replay) client() *organizations.Client {
	return organizations.New(organizations.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(r.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer:      aws.NopRetryer{},
	})
}

// accept calls AcceptHandshake with the documented sample id.
func (r *replay) accept(t *testing.T) (*organizations.AcceptHandshakeOutput, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.client().AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String("h-examplehandshakeid111")})
}

// as returns err as the SDK error type T.
func as[T smithy.APIError](err error) (smithy.APIError, bool) {
	var target T
	if errors.As(err, &target) {
		return target, true
	}
	return nil, false
}

// typedErrors finds each expected error type (by its Go type name) in an error chain.
var typedErrors = map[string]func(error) (smithy.APIError, bool){
	"AWSOrganizationsNotInUseException":      as[*types.AWSOrganizationsNotInUseException],
	"AccessDeniedException":                  as[*types.AccessDeniedException],
	"AccessDeniedForDependencyException":     as[*types.AccessDeniedForDependencyException],
	"ConcurrentModificationException":        as[*types.ConcurrentModificationException],
	"ConstraintViolationException":           as[*types.ConstraintViolationException],
	"HandshakeAlreadyInStateException":       as[*types.HandshakeAlreadyInStateException],
	"HandshakeConstraintViolationException":  as[*types.HandshakeConstraintViolationException],
	"HandshakeNotFoundException":             as[*types.HandshakeNotFoundException],
	"InvalidHandshakeTransitionException":    as[*types.InvalidHandshakeTransitionException],
	"InvalidInputException":                  as[*types.InvalidInputException],
	"MasterCannotLeaveOrganizationException": as[*types.MasterCannotLeaveOrganizationException],
	"ServiceException":                       as[*types.ServiceException],
	"TooManyRequestsException":               as[*types.TooManyRequestsException],
}

// reason returns the Reason field of a typed error, "" if it has none.
func reason(e smithy.APIError) string {
	v := reflect.ValueOf(e).Elem().FieldByName("Reason")
	if !v.IsValid() {
		return ""
	}
	return v.String()
}

// checkError asserts err is the expected typed error.
func checkError(t *testing.T, err error, want *golden.ExpectedError) {
	t.Helper()
	require.Error(t, err)
	find, ok := typedErrors[want.Type]
	require.True(t, ok, "no typed-error entry for %s", want.Type)
	typed, ok := find(err)
	require.True(t, ok, "want *types.%s, got %T: %v", want.Type, err, err)
	assert.Equal(t, want.Code, typed.ErrorCode())
	assert.Equal(t, want.Message, typed.ErrorMessage())
	assert.Equal(t, want.Reason, reason(typed))
	assert.Equal(t, want.Fault, typed.ErrorFault().String())
}

func TestGoldensDecodeThroughTheSDK(t *testing.T) {
	exp, err := golden.LoadExpectations(op)
	require.NoError(t, err)
	require.Len(t, exp.Files, 14, "the sample response and 13 error goldens")
	r := newReplay(t)
	for _, e := range exp.Files {
		t.Run(e.File, func(t *testing.T) {
			m, err := golden.Read(op + "/" + e.File)
			require.NoError(t, err)
			r.serve(m)
			out, err := r.accept(t)
			if e.Error != nil {
				assert.Nil(t, out)
				checkError(t, err, e.Error)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, e.Output.Handshake)
			assert.Empty(t, cmp.Diff(*e.Output.Handshake, plain(out.Handshake)), "-want +got")
		})
	}
}

// The SDK sends the documented sample request.
func TestSDKRequestMatchesTheSampleRequest(t *testing.T) {
	sample, err := golden.Read(op + "/sample.request.http")
	require.NoError(t, err)
	resp, err := golden.Read(op + "/sample.response.http")
	require.NoError(t, err)
	r := newReplay(t)
	r.serve(resp)
	_, err = r.accept(t)
	require.NoError(t, err)
	r.mu.Lock()
	req, body := r.lastReq, r.lastBod
	r.mu.Unlock()
	assert.Equal(t, sample.Method, req.Method)
	assert.Equal(t, sample.Target, req.URL.Path)
	assert.Equal(t, sample.Header.Get("X-Amz-Target"), req.Header.Get("X-Amz-Target"))
	assert.Equal(t, sample.Header.Get("Content-Type"), req.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(req.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKID/"), "the SDK signs with SigV4")
	assert.NoError(t, schemas.ValidateRequest(op, body))
	assert.Empty(t, golden.Compare(sample.Body, body))
}

// typeForm rewrites an error golden into another wire form of its type.
type typeForm struct {
	name string
	edit func(m *golden.Message, name string)
}

func setType(v string) func(*golden.Message, string) {
	return func(m *golden.Message, name string) {
		var body map[string]any
		if err := json.Unmarshal(m.Body, &body); err != nil {
			panic(err)
		}
		body["__type"] = strings.ReplaceAll(v, "NAME", name)
		m.Body, _ = json.Marshal(body)
	}
}

var typeForms = []typeForm{
	{"smithy namespace", setType("com.amazonaws.organizations#NAME")},
	{"short namespace", setType("aws.organizations#NAME")},
	{"coral suffix", setType("NAME:http://internal.amazon.com/coral/com.amazonaws.organizations/")},
	{"namespace and suffix", setType("com.amazonaws.organizations#NAME:http://internal.amazon.com/coral/com.amazonaws.organizations/")},
	{"header only", func(m *golden.Message, name string) {
		var body map[string]any
		if err := json.Unmarshal(m.Body, &body); err != nil {
			panic(err)
		}
		delete(body, "__type")
		m.Body, _ = json.Marshal(body)
		m.Header.Set("X-Amzn-ErrorType", name+":http://internal.amazon.com/coral/com.amazonaws.organizations/")
	}},
	{"header wins over body", func(m *golden.Message, name string) {
		setType("SomeOtherException")(m, name)
		m.Header.Set("X-Amzn-ErrorType", name)
	}},
	{"lower-case message", func(m *golden.Message, name string) {
		var body map[string]any
		if err := json.Unmarshal(m.Body, &body); err != nil {
			panic(err)
		}
		body["message"] = body["Message"]
		delete(body, "Message")
		m.Body, _ = json.Marshal(body)
	}},
}

// Every wire form of __type a client accepts maps to the same typed error,
// and the body of each form (header-only aside) still matches its schema.
func TestErrorTypeFormsMapToTheSameTypedError(t *testing.T) {
	exp, err := golden.LoadExpectations(op)
	require.NoError(t, err)
	r := newReplay(t)
	for _, e := range exp.Files {
		if e.Error == nil {
			continue
		}
		for _, f := range typeForms {
			t.Run(e.Error.Code+"/"+f.name, func(t *testing.T) {
				m, err := golden.Read(op + "/" + e.File)
				require.NoError(t, err)
				m.Header = m.Header.Clone()
				f.edit(m, e.Error.Code)
				r.serve(m)
				_, err = r.accept(t)
				checkError(t, err, e.Error)
				if m.Header.Get("X-Amzn-ErrorType") == "" {
					assert.NoError(t, schemas.ValidateError(e.Error.Code, m.Body))
				}
			})
		}
	}
}

// An error type the SDK does not model stays a generic API error with the
// code and message of the body: the harness's generic error schema covers it.
func TestUnmodeledErrorIsGeneric(t *testing.T) {
	r := newReplay(t)
	body := []byte(`{"__type":"com.amazonaws.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}`)
	r.serve(&golden.Message{StatusCode: 400, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}}, Body: body})
	_, err := r.accept(t)
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	assert.IsType(t, &smithy.GenericAPIError{}, api)
	assert.Equal(t, "UnrecognizedClientException", api.ErrorCode())
	assert.Equal(t, "The security token included in the request is invalid.", api.ErrorMessage())
	assert.NoError(t, schemas.ValidateError(api.ErrorCode(), body))
}

// plain turns the SDK's handshake into the comparable form of expectations.json.
func plain(h *types.Handshake) golden.Handshake {
	if h == nil {
		return golden.Handshake{}
	}
	out := golden.Handshake{
		Id:     aws.ToString(h.Id),
		Arn:    aws.ToString(h.Arn),
		State:  string(h.State),
		Action: string(h.Action),
	}
	if h.RequestedTimestamp != nil {
		out.RequestedTimestamp = h.RequestedTimestamp.UTC()
	}
	if h.ExpirationTimestamp != nil {
		out.ExpirationTimestamp = h.ExpirationTimestamp.UTC()
	}
	for _, p := range h.Parties {
		out.Parties = append(out.Parties, golden.Party{Id: aws.ToString(p.Id), Type: string(p.Type)})
	}
	out.Resources = plainResources(h.Resources)
	return out
}

func plainResources(rs []types.HandshakeResource) []golden.Resource {
	var out []golden.Resource
	for _, r := range rs {
		out = append(out, golden.Resource{Type: string(r.Type), Value: aws.ToString(r.Value), Resources: plainResources(r.Resources)})
	}
	return out
}
