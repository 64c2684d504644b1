// Package schemas holds the JSON Schemas (draft 2020-12) of the AWS
// Organizations handshake API bodies and of the runner's JSON report, and
// validates bodies against them.
//
// Layout of the embedded files:
//
//	defs.schema.json                  shared shapes (Handshake, HandshakeParty,
//	                                  HandshakeResource, Organization, Account,
//	                                  ids, ARNs, enums, timestamps)
//	<Operation>/request.schema.json   request body of each operation
//	<Operation>/response.schema.json  response body of each operation
//	errors/<Exception>.schema.json    error body of each modeled exception
//	errors/generic.schema.json        error body of any other (common) error
//	report.schema.json                the runner's JSON report
//
// Choices made where the reference page and the model are silent are recorded
// in each file's "description" and in README.md: objects allow unknown extra
// members (clients ignore them), response handshakes must carry all eight
// members AWS always sends, error bodies must carry __type in any form a real
// awsJson1_1 client accepts.
//
// All schemas are compiled once, on first use.
package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/orgconform/orgconform/internal/awserr"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed *.json */*.json
var files embed.FS

// baseURL is the base the schema files are registered under, so that their
// relative $refs ("../defs.schema.json#/$defs/Handshake") resolve without
// touching the network or the file system.
const baseURL = "https://orgconform.invalid/schemas/"

// File names of the schemas that are not per operation.
const (
	DefsFile    = "defs.schema.json"
	ReportFile  = "report.schema.json"
	GenericFile = "errors/generic.schema.json"
)

// ErrNotJSON is wrapped by the error a Validate function returns when the
// body is not a single JSON value.
var ErrNotJSON = errors.New("body is not JSON")

// FS returns the embedded schema files.
func FS() fs.FS { return files }

// RequestFile returns the path of op's request schema.
func RequestFile(op string) string { return op + "/request.schema.json" }

// ResponseFile returns the path of op's response schema.
func ResponseFile(op string) string { return op + "/response.schema.json" }

// ErrorFile returns the path of the error schema of the exception code (bare
// name); it does not check that the file exists.
func ErrorFile(code string) string { return "errors/" + code + ".schema.json" }

type compiled struct {
	byFile map[string]*jsonschema.Schema
	defs   map[string]any
}

var (
	compileOnce sync.Once
	all         *compiled
	compileErr  error
)

func load() (*compiled, error) {
	compileOnce.Do(func() { all, compileErr = compileAll(files) })
	return all, compileErr
}

// compileAll registers every schema file of fsys with one compiler and
// compiles each of them.
func compileAll(fsys fs.FS) (*compiled, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	nested, err := fs.Glob(fsys, "*/*.json")
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	names = append(names, nested...)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	docs := map[string]any{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("schemas: %w", err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", name, err)
		}
		if err := c.AddResource(baseURL+name, doc); err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", name, err)
		}
		docs[name] = doc
	}
	out := &compiled{byFile: map[string]*jsonschema.Schema{}}
	for _, name := range names {
		sch, err := c.Compile(baseURL + name)
		if err != nil {
			return nil, fmt.Errorf("schemas: compile %s: %w", name, err)
		}
		out.byFile[name] = sch
	}
	defsDoc, _ := docs[DefsFile].(map[string]any)
	out.defs, _ = defsDoc["$defs"].(map[string]any)
	return out, nil
}

// Names returns the paths of all embedded schema files, sorted.
func Names() ([]string, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(c.byFile))
	for name := range c.byFile {
		out = append(out, name)
	}
	sort.Strings(out)
	return out, nil
}

// Document returns the parsed JSON of the schema file (a path as listed by
// Names, e.g. RequestFile(op) or DefsFile): objects as map[string]any,
// arrays as []any, numbers as json.Number. Each call returns a fresh copy,
// so a caller may keep or change it. Generators read the request schemas
// through it instead of restating their constraints.
func Document(file string) (any, error) {
	data, err := fs.ReadFile(files, file)
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("schemas: %s: %w", file, err)
	}
	return doc, nil
}

// ErrorNames returns the exceptions that have an error schema of their own
// (the generic one excluded), sorted.
func ErrorNames() ([]string, error) {
	names, err := Names()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, "errors/") && n != GenericFile {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(n, "errors/"), ".schema.json"))
		}
	}
	return out, nil
}

// EnumValues returns the values of the enum definition name in
// defs.schema.json (e.g. "HandshakeState").
func EnumValues(name string) ([]string, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	def, _ := c.defs[name].(map[string]any)
	raw, ok := def["enum"].([]any)
	if !ok {
		return nil, fmt.Errorf("schemas: %s has no enum definition %q", DefsFile, name)
	}
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("schemas: enum %s has a non-string value %v", name, v)
		}
		out = append(out, s)
	}
	return out, nil
}

// ValidateRequest validates body as the request body of operation op.
func ValidateRequest(op string, body []byte) error {
	return Validate(RequestFile(op), body)
}

// ValidateResponse validates body as the 200 response body of operation op.
// An empty body is read as {} (awsJson1_1 answers operations without output
// so), which the schema of an operation with output refuses.
func ValidateResponse(op string, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		// awsJson1_1 may answer an operation without output with an empty
		// body; read it as {}, which any schema that requires members refuses.
		body = []byte("{}")
	}
	return Validate(ResponseFile(op), body)
}

// ValidateError validates body as the error body of the exception code. code
// is the bare exception name; a namespace prefix or ':' suffix is stripped.
// Codes without a schema of their own (common errors) are validated against
// the generic error schema.
func ValidateError(code string, body []byte) error {
	file := ErrorFile(BareCode(code))
	c, err := load()
	if err != nil {
		return err
	}
	if _, ok := c.byFile[file]; !ok {
		file = GenericFile
	}
	return Validate(file, body)
}

// BareCode strips what awsJson1_1 clients strip from an error type: a
// namespace prefix up to '#' and a suffix from ':'.
func BareCode(code string) string { return awserr.Bare(code) }

// ValidateReport validates body as a runner JSON report.
func ValidateReport(body []byte) error {
	return Validate(ReportFile, body)
}

// Validate validates body against the schema file (a path as listed by
// Names). It returns a *ValidationError when the body does not match, an
// error wrapping ErrNotJSON when it is not JSON, and another error when file
// is unknown.
func Validate(file string, body []byte) error {
	c, err := load()
	if err != nil {
		return err
	}
	sch, ok := c.byFile[file]
	if !ok {
		return fmt.Errorf("schemas: no schema %s", file)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("schemas: %s: %w: %v", file, ErrNotJSON, err)
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("schemas: %s: %w", file, err)
	}
	return &ValidationError{Schema: file, Causes: causes(ve, inst)}
}

// ValidationError reports why a body does not match a schema: one Cause per
// failed rule.
type ValidationError struct {
	Schema string
	Causes []Cause
}

// Cause is one failed rule: where in the body (a JSON Pointer, "" for the
// whole body), which keyword (e.g. "pattern", "required", "enum", "type"),
// the offending value as JSON, and the validator's message.
type Cause struct {
	Path    string
	Rule    string
	Value   string
	Message string
}

// String renders the cause on one line: path, rule, message and value.
func (c Cause) String() string {
	p := c.Path
	if p == "" {
		p = "(body)"
	}
	return fmt.Sprintf("%s: %s: %s (value %s)", p, c.Rule, c.Message, c.Value)
}

// Error lists the causes, one a line.
func (e *ValidationError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "schemas: body does not match %s:", e.Schema)
	for _, c := range e.Causes {
		sb.WriteString("\n  ")
		sb.WriteString(c.String())
	}
	return sb.String()
}

// Has reports whether a cause has the given path and rule.
func (e *ValidationError) Has(path, rule string) bool {
	for _, c := range e.Causes {
		if c.Path == path && c.Rule == rule {
			return true
		}
	}
	return false
}

// printer renders the validator's messages in English.
var printer = message.NewPrinter(language.English)

// maxValueLen bounds the rendering of an offending value in a Cause.
const maxValueLen = 120

// causes flattens the validator's error tree into its leaves.
func causes(ve *jsonschema.ValidationError, inst any) []Cause {
	var out []Cause
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, sub := range e.Causes {
				walk(sub)
			}
			return
		}
		out = append(out, Cause{
			Path:    pointer(e.InstanceLocation),
			Rule:    rule(e.ErrorKind),
			Value:   render(valueAt(inst, e.InstanceLocation)),
			Message: e.ErrorKind.LocalizedString(printer),
		})
	}
	walk(ve)
	return out
}

// rule names the keyword of an error kind; kinds without a keyword path
// (not, false schema) are named after their type.
func rule(k jsonschema.ErrorKind) string {
	if kw := k.KeywordPath(); len(kw) > 0 {
		return strings.Join(kw, "/")
	}
	name := reflect.TypeOf(k).String()
	name = name[strings.LastIndex(name, ".")+1:]
	return strings.ToLower(name[:1]) + name[1:]
}

// pointer renders instance-location tokens as a JSON Pointer (RFC 6901).
func pointer(tokens []string) string {
	var sb strings.Builder
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	for _, t := range tokens {
		sb.WriteByte('/')
		sb.WriteString(esc.Replace(t))
	}
	return sb.String()
}

// valueAt returns the value of inst at the instance location tokens.
func valueAt(inst any, tokens []string) any {
	v := inst
	for _, t := range tokens {
		switch x := v.(type) {
		case map[string]any:
			v = x[t]
		case []any:
			var i int
			if _, err := fmt.Sscan(t, &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// render returns v as compact JSON, shortened to maxValueLen runes.
func render(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(buf.String())
	if r := []rune(s); len(r) > maxValueLen {
		s = string(r[:maxValueLen]) + "…"
	}
	return s
}
