package sdkcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/sdkcheck/replay"
	"github.com/orgconform/orgconform/specs"
)

// Case is one response replayed through the SDK and what it reveals: a
// golden (Form "" as recorded, or one wire form of its error type) with
// the decoding it must give, or a probe of how the SDK matches error codes.
type Case struct {
	replay.Case
	Golden string `json:"golden,omitempty"` // golden file, relative to golden/ (of a case probe: the golden it lower-cases)
	Form   string `json:"form,omitempty"`   // wire form of the error, "" as recorded
	Probe  string `json:"probe,omitempty"`  // ProbeCase or ProbeScope; "" for goldens
	Code   string `json:"code,omitempty"`   // probes: the exception whose code was sent
	Want   *Want  `json:"want,omitempty"`   // nil for probes, which observe
}

// The probes of error matching.
const (
	// ProbeCase sends an error golden's code lower-cased: a typed error
	// back means the SDK matches codes case-insensitively. It counts only
	// in versions that decode the golden itself to the typed error.
	ProbeCase = "case"
	// ProbeScope sends the code of an exception the operation does not
	// document: a typed error back means one service-wide table. It counts
	// only in versions whose registry has the exception.
	ProbeScope = "scope"
)

// Want is the decoding expected of a golden: its typed Error, or its
// typed Output (plain values, as replay gives them) and the Request the
// SDK must send (from the operation's sample.request.http).
type Want struct {
	Error         *golden.ExpectedError `json:"error,omitempty"`
	Output        map[string]any        `json:"output,omitempty"`
	Request       *replay.Request       `json:"request,omitempty"`
	RequestGolden string                `json:"requestGolden,omitempty"`
}

// Field names of a decoded error, in table order.
var errorFields = []string{"type", "code", "message", "reason", "fault"}

// Field names of a sent request, in table order.
var requestFields = []string{"method", "path", "X-Amz-Target", "Content-Type", "body"}

// form rewrites an error golden into another wire form of its type.
type form struct {
	name string
	edit func(m *golden.Message, code string) error
}

// forms are the wire forms of an error type that awsJson1_1 clients accept.
var forms = []form{
	{"bare", setType("NAME")},
	{"namespace", setType("com.amazonaws.organizations#NAME")},
	{"short namespace", setType("aws.organizations#NAME")},
	{"uri suffix", setType("NAME:http://internal.amazon.com/coral/com.amazonaws.organizations/")},
	{"namespace and suffix", setType("com.amazonaws.organizations#NAME:http://internal.amazon.com/coral/com.amazonaws.organizations/")},
	{"header only", func(m *golden.Message, code string) error {
		if err := editBody(m, func(b map[string]any) { delete(b, "__type") }); err != nil {
			return err
		}
		m.Header.Set("X-Amzn-ErrorType", code+":http://internal.amazon.com/coral/com.amazonaws.organizations/")
		return nil
	}},
	{"header wins over body", func(m *golden.Message, code string) error {
		if err := setType("SomeOtherException")(m, code); err != nil {
			return err
		}
		m.Header.Set("X-Amzn-ErrorType", code)
		return nil
	}},
	{"lower-case message", func(m *golden.Message, _ string) error {
		return editBody(m, func(b map[string]any) {
			if v, ok := b["Message"]; ok {
				b["message"] = v
				delete(b, "Message")
			}
		})
	}},
}

// FormNames returns the names of the wire forms every error golden is
// replayed in, besides as recorded.
func FormNames() []string {
	out := make([]string, len(forms))
	for i, f := range forms {
		out[i] = f.name
	}
	return out
}

func setType(v string) func(*golden.Message, string) error {
	return func(m *golden.Message, code string) error {
		return editBody(m, func(b map[string]any) { b["__type"] = strings.ReplaceAll(v, "NAME", code) })
	}
}

// editBody applies edit to m's JSON object body.
func editBody(m *golden.Message, edit func(map[string]any)) error {
	var body map[string]any
	if err := json.Unmarshal(m.Body, &body); err != nil {
		return fmt.Errorf("body is not a JSON object: %w", err)
	}
	edit(body)
	out, err := json.Marshal(body)
	if err != nil {
		return err
	}
	m.Body = out
	return nil
}

// unmodelled is an error no SDK models: every version must hand it back
// as a generic API error with the body's code and message.
const unmodelled = `{"__type":"com.amazonaws.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}`

// Cases builds every case from the goldens in fsys (one folder per
// operation holding expectations.json, as in package golden) and the
// contract c: each response golden as recorded and in every wire form of
// its error type, the probes of error matching, and a generic error.
// A response golden without an expectation, or an expectation without its
// file, is an error.
func Cases(fsys fs.FS, c *specs.Contract) ([]Case, error) {
	ops, err := operations(fsys)
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, op := range ops {
		cs, err := operationCases(fsys, c, op)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sdkcheck: no goldens with expectations.json found")
	}
	return out, nil
}

// operations lists the folders of fsys that hold an expectations.json.
func operations(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("sdkcheck: list goldens: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := fs.Stat(fsys, path.Join(e.Name(), "expectations.json")); err == nil {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// loadExpectations reads <op>/expectations.json as package golden does.
func loadExpectations(fsys fs.FS, op string) (*golden.Expectations, error) {
	data, err := fs.ReadFile(fsys, path.Join(op, "expectations.json"))
	if err != nil {
		return nil, fmt.Errorf("sdkcheck: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e golden.Expectations
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("sdkcheck: %s/expectations.json: %w", op, err)
	}
	for _, f := range e.Files {
		if (f.Output == nil) == (f.Error == nil) {
			return nil, fmt.Errorf("sdkcheck: %s/expectations.json: %s: want exactly one of output and error", op, f.File)
		}
	}
	return &e, nil
}

// readMessage parses one golden file of fsys.
func readMessage(fsys fs.FS, p string) (*golden.Message, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("sdkcheck: %w", err)
	}
	m, err := golden.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("sdkcheck: %s: %w", p, err)
	}
	return m, nil
}

// responseFiles lists the response goldens of one operation folder.
func responseFiles(fsys fs.FS, op string) (map[string]bool, error) {
	out := map[string]bool{}
	err := fs.WalkDir(fsys, op, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".http") || strings.HasSuffix(p, ".request.http") {
			return err
		}
		out[strings.TrimPrefix(p, op+"/")] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sdkcheck: list %s: %w", op, err)
	}
	return out, nil
}

// operationCases builds the cases of one operation folder.
func operationCases(fsys fs.FS, c *specs.Contract, op string) ([]Case, error) {
	exp, err := loadExpectations(fsys, op)
	if err != nil {
		return nil, err
	}
	if exp.Operation != "" && exp.Operation != op {
		return nil, fmt.Errorf("sdkcheck: %s/expectations.json names operation %q", op, exp.Operation)
	}
	files, err := responseFiles(fsys, op)
	if err != nil {
		return nil, err
	}
	requests, err := requestGoldens(fsys, op)
	if err != nil {
		return nil, err
	}
	// Errors are provoked with the operation's plain sample request (or
	// any sample request; none: the SDK fills every member).
	var input json.RawMessage
	if r, ok := requests.forErrors(); ok {
		input = r.input
	}

	var out []Case
	var errorCodes []string
	for _, e := range exp.Files {
		if !files[e.File] {
			return nil, fmt.Errorf("sdkcheck: %s/expectations.json: %s: no such golden", op, e.File)
		}
		delete(files, e.File)
		p := op + "/" + e.File
		m, err := readMessage(fsys, p)
		if err != nil {
			return nil, err
		}
		base := Case{Case: replay.Case{ID: p, Operation: op, Input: input, Response: response(m)}, Golden: p}
		if e.Output != nil {
			want, err := plainOutput(e.Output)
			if err != nil {
				return nil, fmt.Errorf("sdkcheck: %s: %w", p, err)
			}
			base.Want = &Want{Output: want}
			if r, ok := requests[strings.TrimSuffix(e.File, ".response.http")]; ok && strings.HasSuffix(e.File, ".response.http") {
				base.Input = r.input
				base.Want.Request, base.Want.RequestGolden = r.sent, r.golden
			}
			out = append(out, base)
			continue
		}
		base.Want = &Want{Error: e.Error}
		out = append(out, base)
		errorCodes = append(errorCodes, e.Error.Code)
		for _, f := range forms {
			fm := *m
			fm.Header = m.Header.Clone()
			if err := f.edit(&fm, e.Error.Code); err != nil {
				return nil, fmt.Errorf("sdkcheck: %s: form %s: %w", p, f.name, err)
			}
			fc := base
			fc.ID, fc.Form, fc.Response = p+" ["+f.name+"]", f.name, response(&fm)
			out = append(out, fc)
		}
		lower := *m
		lower.Header = m.Header.Clone()
		if err := setType(strings.ToLower(e.Error.Code))(&lower, ""); err != nil {
			return nil, fmt.Errorf("sdkcheck: %s: %w", p, err)
		}
		out = append(out, Case{
			Case:   replay.Case{ID: p + " [lower-case code]", Operation: op, Input: input, Response: response(&lower)},
			Golden: p, Probe: ProbeCase, Code: e.Error.Code,
		})
	}
	if len(files) > 0 {
		var missing []string
		for f := range files {
			missing = append(missing, f)
		}
		sort.Strings(missing)
		return nil, fmt.Errorf("sdkcheck: %s: golden %s has no entry in expectations.json", op, strings.Join(missing, ", "))
	}
	out = append(out, scopeProbes(c, op, input)...)
	if len(errorCodes) == 0 {
		return out, nil // the generic error is replayed where errors are
	}
	out = append(out, Case{
		Case: replay.Case{ID: op + " [unmodelled error]", Operation: op, Input: input, Response: replay.Response{
			Status: 400, Header: map[string][]string{"Content-Type": {"application/x-amz-json-1.1"}}, Body: unmodelled,
		}},
		Golden: op + " (unmodelled error)",
		Want: &Want{Error: &golden.ExpectedError{
			Type: "smithy.GenericAPIError", Code: "UnrecognizedClientException",
			Message: "The security token included in the request is invalid.", Fault: "unknown",
		}},
	})
	return out, nil
}

// request is a request golden: the call's input and what the SDK must send.
type request struct {
	golden string
	input  json.RawMessage
	sent   *replay.Request
}

// requests are an operation's request goldens by stem ("sample" for
// sample.request.http, "sample-x" for sample-x.request.http).
type requests map[string]request

// forErrors is the request error goldens are provoked with: the plain
// sample's, else the first by stem.
func (rs requests) forErrors() (request, bool) {
	if r, ok := rs["sample"]; ok {
		return r, true
	}
	stems := make([]string, 0, len(rs))
	for s := range rs {
		stems = append(stems, s)
	}
	sort.Strings(stems)
	if len(stems) == 0 {
		return request{}, false
	}
	return rs[stems[0]], true
}

// requestGoldens reads the <stem>.request.http files of an operation folder.
func requestGoldens(fsys fs.FS, op string) (requests, error) {
	entries, err := fs.ReadDir(fsys, op)
	if err != nil {
		return nil, fmt.Errorf("sdkcheck: list %s: %w", op, err)
	}
	out := requests{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".request.http") {
			continue
		}
		p := op + "/" + e.Name()
		m, err := readMessage(fsys, p)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(e.Name(), ".request.http")] = request{
			golden: p,
			input:  json.RawMessage(m.Body),
			sent:   &replay.Request{Method: m.Method, Path: m.Target, Target: m.Header.Get("X-Amz-Target"), ContentType: m.Header.Get("Content-Type"), Body: string(m.Body)},
		}
	}
	return out, nil
}

// scopeProbes sends op the code of every modeled exception of c that op
// does not document.
func scopeProbes(c *specs.Contract, op string, input json.RawMessage) []Case {
	o, ok := c.Operation(op)
	if !ok {
		return nil
	}
	var out []Case
	for _, e := range c.Errors {
		if o.Documents(e.Name) {
			continue
		}
		body, _ := json.Marshal(map[string]string{"__type": e.Name, "Message": "sent to an operation that does not document it"})
		out = append(out, Case{
			Case: replay.Case{ID: op + " [undocumented " + e.Name + "]", Operation: op, Input: input, Response: replay.Response{
				Status: 400, Header: map[string][]string{"Content-Type": {"application/x-amz-json-1.1"}}, Body: string(body),
			}},
			Probe: ProbeScope, Code: e.Name,
		})
	}
	return out
}

// response turns a golden message into a canned response.
func response(m *golden.Message) replay.Response {
	return replay.Response{Status: m.StatusCode, Header: map[string][]string(m.Header.Clone()), Body: string(m.Body)}
}

// plainOutput turns an expected output into the plain values replay
// decodes outputs to.
func plainOutput(o *golden.Output) (map[string]any, error) {
	data, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(data, &out)
	return out, err
}

// replayCases returns the replay part of cases, as the replay program
// reads them.
func replayCases(cases []Case) []replay.Case {
	out := make([]replay.Case, len(cases))
	for i, c := range cases {
		out[i] = c.Case
	}
	return out
}
