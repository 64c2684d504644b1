// Package replay calls an aws-sdk-go-v2 Organizations client on canned HTTP
// responses and reports what the client sent and decoded, as plain values.
//
// It imports only the SDK (service/organizations and the core aws
// package), smithy-go and the standard library, and only API that
// organizations v1.20.0 already had: package sdkcheck copies this file into
// a throwaway module built against another SDK version, so it must compile
// with every version it checks. Typed errors and outputs are read by
// reflection, never by name.
package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	smithy "github.com/aws/smithy-go"
)

// Case is one call: the operation called, its input as JSON (the
// operation's input struct, member names as in the SDK; empty means every
// member filled with a placeholder, so client-side validation passes) and
// the response served to it.
type Case struct {
	ID        string          `json:"id"`
	Operation string          `json:"operation"`
	Input     json.RawMessage `json:"input,omitempty"`
	Response  Response        `json:"response"`
}

// Response is a canned HTTP response.
type Response struct {
	Status int                 `json:"status"`
	Header map[string][]string `json:"header,omitempty"`
	Body   string              `json:"body"`
}

// Outcome is what the client did with one Case.
type Outcome struct {
	ID string `json:"id"`
	// Request is the request the client sent, nil when it sent none.
	Request *Request `json:"request,omitempty"`
	// Output is the typed output as plain values (objects, lists, strings,
	// numbers, booleans; timestamps as RFC 3339 in UTC; nil members left
	// out), set when the call succeeded.
	Output any `json:"output,omitempty"`
	// Error is the error the call returned, nil when it succeeded.
	Error *Decoded `json:"error,omitempty"`
	// Problem says why the case could not be replayed at all (the SDK has
	// no such operation, the input does not fit it).
	Problem string `json:"problem,omitempty"`
}

// Request is the part of a sent request the checks compare.
type Request struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Target      string `json:"target"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// Decoded is an error as the client returned it. Type is the Go type of
// the smithy.APIError in the chain ("types.HandshakeNotFoundException",
// "smithy.GenericAPIError"), "" when there is none; Code, Message and Fault
// are its ErrorCode, ErrorMessage and ErrorFault; Reason its Reason field
// ("" when it has none); Text the whole error, for when Type is "".
type Decoded struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Reason  string `json:"reason"`
	Fault   string `json:"fault"`
	Text    string `json:"text"`
}

// Run replays every case, in order, each under ctx.
func Run(ctx context.Context, cases []Case) []Outcome {
	srv := &server{}
	client := NewClient(srv)
	out := make([]Outcome, 0, len(cases))
	for _, c := range cases {
		out = append(out, replay(ctx, client, srv, c))
	}
	return out
}

// NewClient returns an Organizations client that sends every request to
// hc, with static credentials, no retries and no configuration read from
// the machine.
func NewClient(hc organizations.HTTPClient) *organizations.Client {
	return organizations.New(organizations.Options{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDREPLAY", SecretAccessKey: "replay", Source: "replay"}, nil
		}),
		Retryer:    aws.NopRetryer{},
		HTTPClient: hc,
	})
}

// server answers every request with the response of the case in flight
// and keeps the request, without any network.
type server struct {
	mu   sync.Mutex
	resp Response
	sent *Request
}

// Do implements organizations.HTTPClient.
func (s *server) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, fmt.Errorf("replay: read request body: %w", err)
		}
		body = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = &Request{
		Method:      req.Method,
		Path:        req.URL.Path,
		Target:      req.Header.Get("X-Amz-Target"),
		ContentType: req.Header.Get("Content-Type"),
		Body:        string(body),
	}
	h := http.Header{}
	for k, vs := range s.resp.Header {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", s.resp.Status, http.StatusText(s.resp.Status)),
		StatusCode:    s.resp.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(s.resp.Body)),
		ContentLength: int64(len(s.resp.Body)),
		Request:       req,
	}, nil
}

func (s *server) serve(r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resp, s.sent = r, nil
}

func (s *server) request() *Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

var (
	ctxType = reflect.TypeOf((*context.Context)(nil)).Elem()
	errType = reflect.TypeOf((*error)(nil)).Elem()
)

// replay runs one case.
func replay(ctx context.Context, client *organizations.Client, srv *server, c Case) (out Outcome) {
	out.ID = c.ID
	defer func() {
		if r := recover(); r != nil {
			out.Problem = fmt.Sprintf("the SDK panicked: %v", r)
		}
	}()
	m := reflect.ValueOf(client).MethodByName(c.Operation)
	if !m.IsValid() {
		out.Problem = "this SDK has no operation " + c.Operation
		return out
	}
	mt := m.Type()
	if mt.NumIn() < 2 || mt.In(0) != ctxType || mt.In(1).Kind() != reflect.Ptr || mt.NumOut() != 2 || mt.Out(1) != errType {
		out.Problem = fmt.Sprintf("%s is not an operation method: %s", c.Operation, mt)
		return out
	}
	in := reflect.New(mt.In(1).Elem())
	if len(bytes.TrimSpace(c.Input)) > 0 {
		if err := json.Unmarshal(c.Input, in.Interface()); err != nil {
			out.Problem = fmt.Sprintf("input does not fit %s: %v", mt.In(1).Elem(), err)
			return out
		}
	} else {
		fill(in.Elem(), 0)
	}
	srv.serve(c.Response)
	callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res := m.Call([]reflect.Value{reflect.ValueOf(callCtx), in})
	out.Request = srv.request()
	if err, _ := res[1].Interface().(error); err != nil {
		out.Error = decode(err)
		return out
	}
	out.Output = plain(res[0], 0)
	return out
}

// fill sets every member of the input struct v to a placeholder, so the
// SDK's validation of required members passes.
func fill(v reflect.Value, depth int) {
	if depth > 6 {
		return
	}
	switch v.Kind() {
	case reflect.Ptr:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).PkgPath == "" {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte("x"))
			return
		}
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	}
}

// decode reads an error returned by the client.
func decode(err error) *Decoded {
	d := &Decoded{Text: oneLine(err.Error())}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return d
	}
	d.Type = typeName(reflect.TypeOf(api))
	d.Code, d.Message = api.ErrorCode(), api.ErrorMessage()
	d.Fault = faultName(api.ErrorFault())
	v := reflect.ValueOf(api)
	for v.Kind() == reflect.Ptr && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if r := v.FieldByName("Reason"); r.IsValid() && r.Kind() == reflect.String {
			d.Reason = r.String()
		}
	}
	return d
}

// faultName is ErrorFault's String, spelt out so the result does not
// depend on the smithy-go version's spelling of unknown.
func faultName(f smithy.ErrorFault) string {
	switch f {
	case smithy.FaultClient:
		return "client"
	case smithy.FaultServer:
		return "server"
	}
	return "unknown"
}

// typeName names t as package.Type ("types.HandshakeNotFoundException").
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	if pkg == "smithy-go" {
		pkg = "smithy"
	}
	if pkg == "" {
		return t.String()
	}
	return pkg + "." + t.Name()
}

var timeType = reflect.TypeOf(time.Time{})

// plain turns a typed output into plain values: structs become objects of
// their exported members (ResultMetadata left out), nil pointers, empty
// lists and zero timestamps are left out, timestamps become RFC 3339 in UTC.
func plain(v reflect.Value, depth int) any {
	if depth > 32 || !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Ptr, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			if t.IsZero() {
				return nil
			}
			return t.UTC().Format(time.RFC3339Nano)
		}
		m := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.PkgPath != "" || f.Name == "ResultMetadata" {
				continue
			}
			if p := plain(v.Field(i), depth+1); p != nil {
				m[f.Name] = p
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes())
		}
		l := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			l = append(l, plain(v.Index(i), depth+1))
		}
		if len(l) == 0 {
			return nil
		}
		return l
	case reflect.Map:
		if v.IsNil() || v.Len() == 0 {
			return nil
		}
		m := map[string]any{}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			m[fmt.Sprint(k.Interface())] = plain(v.MapIndex(k), depth+1)
		}
		return m
	case reflect.String:
		if v.String() == "" {
			return nil
		}
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return fmt.Sprint(v.Interface())
}

// oneLine joins the lines of s.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
