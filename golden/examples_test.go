package golden_test

// The generator of the goldens built from botocore's documented examples
// (examples-1.json of organizations 2016-11-28), in the go-cmp style:
//
//	go test ./golden -run TestExampleGoldens -update
//
// rewrites them; without -update the test fails when the committed files
// differ from what the examples give. README.md describes the choices.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/schemas"
	"github.com/orgconform/orgconform/specs"
)

var update = flag.Bool("update", false, "rewrite the goldens generated from botocore's examples-1.json")

// examplesFile is where examples-1.json lives inside the botocore package.
const examplesFile = "data/organizations/2016-11-28/examples-1.json"

// opsWithoutExample are the operations in scope that examples-1.json
// documents no example of, with the reason they have no golden.
var opsWithoutExample = map[string]string{
	"DeleteOrganization": "examples-1.json documents no DeleteOrganization example (checked against botocore 1.43.11)",
}

// examplesNotGoldens are documented examples that do not become goldens.
var examplesNotGoldens = map[string]string{
	"to-accept-a-handshake-from-another-account-1472500561150": "the AcceptHandshake golden is the API reference page's sample (sample.*), the contract's primary source; this example is kept as drift data only",
}

// extraStems names the goldens of operations' second and later examples
// (the first is the primary sample, stem "sample").
var extraStems = map[string]string{
	"to-create-a-new-organization-with-consolidated-billing-features-only": "sample-consolidated-billing",
}

// pageSample is the provenance of the AcceptHandshake golden, which comes
// from the API reference page, not from examples-1.json.
var pageSample = golden.SampleSource{
	Stem:   golden.PrimaryStem,
	Source: "reference",
	File:   "AWS Organizations API Reference, AcceptHandshake, Examples (shared/reference/000_a1e3deeb8ff4d88b.txt)",
	Wire: "The page shows the request's start line, X-Amz-Target and body; Content-Type application/x-amz-json-1.1 is added as every awsJson1_1 request carries it. " +
		"The response is verbatim, including the page's Content-Type application/json (awsJson1_1 sends application/x-amz-json-1.1; SDKs ignore the response content type).",
}

// example is one entry of examples-1.json.
type example struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Input       json.RawMessage `json:"input"`
	Output      json.RawMessage `json:"output"`
}

// botocoreData finds the installed botocore package (ORGCONFORM_BOTOCORE_DIR
// or python3's botocore) and returns its directory and version.
func botocoreData(t *testing.T) (dir, version string) {
	t.Helper()
	if dir = os.Getenv("ORGCONFORM_BOTOCORE_DIR"); dir == "" {
		py, err := exec.LookPath("python3")
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, perr := exec.CommandContext(ctx, py, "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
			dir, err = strings.TrimSpace(string(out)), perr
		}
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("botocore (python3 with boto3) is required on CI (CI=true) to check the goldens generated from examples-1.json: %v", err)
			}
			t.Skipf("botocore unavailable (python3 -c 'import botocore'), skipping; set CI=true to make this a failure: %v", err)
		}
	}
	initPy, err := os.ReadFile(filepath.Join(dir, "__init__.py"))
	require.NoError(t, err, "botocore package at %s", dir)
	m := regexp.MustCompile(`__version__ = '([^']+)'`).FindSubmatch(initPy)
	require.NotNil(t, m, "botocore version in %s/__init__.py", dir)
	return dir, string(m[1])
}

func TestExampleGoldens(t *testing.T) {
	dir, version := botocoreData(t)
	raw, err := os.ReadFile(filepath.Join(dir, examplesFile))
	require.NoError(t, err)
	gen, err := generate(raw, version)
	require.NoError(t, err)

	// Every operation in scope has a golden, or a reason for none that
	// examples-1.json still bears out.
	var doc struct{ Examples map[string][]example }
	require.NoError(t, json.Unmarshal(raw, &doc))
	for _, op := range specs.Must().Operations {
		if reason, skip := opsWithoutExample[op.Name]; skip {
			assert.Empty(t, doc.Examples[op.Name], "%s now has an example: remove it from opsWithoutExample (%s) and run with -update", op.Name, reason)
			continue
		}
		assert.NotEmpty(t, doc.Examples[op.Name], "%s has no example: add it to opsWithoutExample with the reason", op.Name)
	}

	if *update {
		for _, name := range sortedNames(gen) {
			require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
			require.NoError(t, os.WriteFile(name, gen[name], 0o644))
		}
		t.Logf("wrote %d files", len(gen))
	}
	for _, name := range sortedNames(gen) {
		have, err := os.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is missing: run go test ./golden -run TestExampleGoldens -update", name)
			continue
		}
		require.NoError(t, err)
		if diff := cmp.Diff(stripVersion(have), stripVersion(gen[name])); diff != "" {
			t.Errorf("%s differs from what examples-1.json gives (-committed +generated); run go test ./golden -run TestExampleGoldens -update:\n%s", name, diff)
		}
	}
	// No sample file is left over from an earlier generation.
	paths, err := golden.List()
	require.NoError(t, err)
	for _, p := range paths {
		if p == "AcceptHandshake/sample.request.http" || p == "AcceptHandshake/sample.response.http" || strings.Contains(p, "/errors/") {
			continue
		}
		assert.Contains(t, gen, p, "%s is not generated from examples-1.json: remove it or say where it comes from", p)
	}
}

// stripVersion blanks the botocore version in a source.json, so that a
// botocore upgrade that leaves examples-1.json unchanged (same sha256) does
// not fail the comparison.
func stripVersion(b []byte) string {
	return regexp.MustCompile(`"botocore": "[^"]*"`).ReplaceAllString(string(b), `"botocore": ""`)
}

func sortedNames(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// generate builds every generated file (path relative to golden/ → content)
// from the text of examples-1.json.
func generate(raw []byte, botocoreVersion string) (map[string][]byte, error) {
	var doc struct {
		Examples map[string][]example `json:"examples"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("examples-1.json: %w", err)
	}
	sum := sha256.Sum256(raw)
	base := golden.SampleSource{Source: "model", File: "botocore/" + examplesFile, SHA256: hex.EncodeToString(sum[:]), Botocore: botocoreVersion}
	out := map[string][]byte{}
	for _, op := range specs.Must().Operations {
		examples := doc.Examples[op.Name]
		if len(examples) == 0 {
			continue
		}
		src := golden.Source{
			Comment:   "Where the samples of this folder come from, how the wire messages were built from the documented example, and the example's defects the golden keeps (drift data). Paths are relative to the response body, in golden.Lookup syntax. Generated by go test ./golden -run TestExampleGoldens -update, except the reference page's sample record.",
			Operation: op.Name,
		}
		if op.Name == "AcceptHandshake" {
			src.Samples = append(src.Samples, pageSample)
		}
		exp := golden.Expectations{
			Comment:   "What an aws-sdk-go-v2 Organizations client must decode from each sample response of this folder (sdkcheck replays them): the typed output, timestamps as RFC 3339. Generated from examples-1.json with the goldens.",
			Operation: op.Name,
		}
		for i, ex := range examples {
			smp := base
			smp.Example, smp.Title = ex.ID, ex.Title
			g, err := buildSample(op, ex)
			if err != nil {
				return nil, fmt.Errorf("%s example %s: %w", op.Name, ex.ID, err)
			}
			smp.Wire, smp.Conversions, smp.Defects = g.wire, g.conversions, g.defects
			if reason, ok := examplesNotGoldens[ex.ID]; ok {
				smp.NotAGolden = reason
				src.Samples = append(src.Samples, smp)
				continue
			}
			smp.Stem = golden.PrimaryStem
			if i > 0 {
				if smp.Stem = extraStems[ex.ID]; smp.Stem == "" {
					return nil, fmt.Errorf("%s example %s: name its golden in extraStems", op.Name, ex.ID)
				}
			}
			src.Samples = append(src.Samples, smp)
			out[op.Name+"/"+smp.Stem+".request.http"] = g.request.Bytes()
			out[op.Name+"/"+smp.Stem+".response.http"] = g.response.Bytes()
			exp.Files = append(exp.Files, golden.Expectation{File: smp.Stem + ".response.http", Source: "model", Output: g.output})
		}
		data, err := marshal(src)
		if err != nil {
			return nil, err
		}
		out[op.Name+"/source.json"] = data
		if len(exp.Files) > 0 {
			if data, err = marshal(exp); err != nil {
				return nil, err
			}
			out[op.Name+"/expectations.json"] = data
		}
	}
	return out, nil
}

// built is one example turned into wire messages.
type built struct {
	request, response *golden.Message
	output            *golden.Output
	wire              string
	conversions       []golden.Conversion
	defects           []golden.Defect
}

func buildSample(op specs.Operation, ex example) (*built, error) {
	svc := specs.Must().Service
	b := &built{}
	wire := []string{"Request: POST / with the awsJson1_1 headers (Content-Type " + svc.ContentType + ", X-Amz-Target " + op.Target + ") and the example's input as body"}
	input := ex.Input
	if len(input) == 0 {
		input = json.RawMessage(`{}`)
		wire[0] += " ({}: the example gives no input)"
	}
	reqBody, err := indent(input)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	if err := schemas.ValidateRequest(op.Name, reqBody); err != nil {
		return nil, fmt.Errorf("the example's input breaks the request schema (record request defects before using it): %w", err)
	}
	b.request = &golden.Message{Method: "POST", Target: "/", Proto: "HTTP/1.1", Body: reqBody,
		Header: map[string][]string{"Content-Type": {svc.ContentType}, "X-Amz-Target": {op.Target}}}

	out := ex.Output
	respWire := "Response: 200 with Content-Type " + svc.ContentType + ", X-Amzn-Requestid <REQUEST_ID_1> (a placeholder: the example gives none) and the example's output as body"
	if len(out) == 0 {
		if len(op.Output) > 0 {
			return nil, fmt.Errorf("the example gives no output for an operation that has one")
		}
		out = json.RawMessage(`{}`)
		respWire += " ({}: the operation has no output, and awsJson1_1 answers it with an empty object)"
	}
	var outVal any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&outVal); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	// Timestamps: epoch seconds on the wire, RFC 3339 in the expectation.
	var expVal any
	if err := json.Unmarshal(out, &expVal); err != nil {
		return nil, err
	}
	var convErr error
	walkBody(outVal, func(path, key string, parent map[string]any, v any) {
		s, ok := v.(string)
		if !ok || !strings.HasSuffix(key, "Timestamp") || convErr != nil {
			return
		}
		ts, layout, err := parseExampleTime(s)
		if err != nil {
			convErr = fmt.Errorf("%s: %w", path, err)
			return
		}
		epoch, err := epochSeconds(ts)
		if err != nil {
			convErr = fmt.Errorf("%s: %w", path, err)
			return
		}
		parent[key] = json.Number(epoch)
		setAt(expVal, path, ts.UTC().Format(time.RFC3339Nano))
		b.conversions = append(b.conversions, golden.Conversion{Path: path, Example: s, Wire: epoch})
		if layout != time.RFC3339Nano {
			b.defects = append(b.defects, golden.Defect{Path: path, Kind: golden.DefectModel,
				Detail:     fmt.Sprintf("%q is ISO 8601 basic format, not the RFC 3339 date-time most examples of the file use (e.g. \"2016-12-15T19:27:58Z\"); read as %s", s, ts.UTC().Format(time.RFC3339)),
				Comparison: golden.TreatNormalised})
		}
	})
	if convErr != nil {
		return nil, convErr
	}
	if len(b.conversions) > 0 {
		respWire += "; timestamps, which the example writes as date strings, as epoch seconds (the awsJson1_1 wire form; conversions)"
	}
	respBody, err := indentValue(outVal)
	if err != nil {
		return nil, err
	}
	b.response = &golden.Message{Proto: "HTTP/1.1", StatusCode: 200, Reason: "OK", Body: respBody,
		Header: map[string][]string{"Content-Type": {svc.ContentType}, "X-Amzn-Requestid": {"<REQUEST_ID_1>"}}}
	b.wire = strings.Join(append(wire, respWire), ". ") + "."

	expJSON, err := json.Marshal(expVal)
	if err != nil {
		return nil, err
	}
	b.output = &golden.Output{}
	d := json.NewDecoder(bytes.NewReader(expJSON))
	d.DisallowUnknownFields()
	if err := d.Decode(b.output); err != nil {
		return nil, fmt.Errorf("the example's output has a member golden.Output does not model (extend it): %w", err)
	}

	schemaDefects, err := schemaDefects(op.Name, respBody)
	if err != nil {
		return nil, err
	}
	b.defects = append(b.defects, schemaDefects...)
	b.defects = append(b.defects, semanticDefects(outVal)...)
	sort.SliceStable(b.defects, func(i, j int) bool { return b.defects[i].Path < b.defects[j].Path })
	return b, nil
}

// exampleTimeLayouts are the date forms examples-1.json uses; only the
// first (RFC 3339) is what Smithy allows in an example.
var exampleTimeLayouts = []string{time.RFC3339Nano, "20060102T150405Z07:00", "20060102T1504Z07:00"}

func parseExampleTime(s string) (time.Time, string, error) {
	for _, layout := range exampleTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, layout, nil
		}
	}
	return time.Time{}, "", fmt.Errorf("timestamp %q in none of the forms %q", s, exampleTimeLayouts)
}

// epochSeconds renders t as awsJson1_1 epoch seconds, at most millisecond
// precision, without a fraction when it is whole.
func epochSeconds(t time.Time) (string, error) {
	if t.Nanosecond()%int(time.Millisecond) != 0 {
		return "", fmt.Errorf("timestamp %s is finer than milliseconds", t.Format(time.RFC3339Nano))
	}
	s := strconv.FormatInt(t.Unix(), 10)
	if ms := t.Nanosecond() / int(time.Millisecond); ms != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", ms), "0")
	}
	return s, nil
}

// schemaDefects validates the response body and turns each cause into a
// defect: a missing required member is left to the extra-member note, any
// other value is not compared.
func schemaDefects(op string, body []byte) ([]golden.Defect, error) {
	err := schemas.ValidateResponse(op, body)
	if err == nil {
		return nil, nil
	}
	var ve *schemas.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	var out []golden.Defect
	for _, c := range ve.Causes {
		path, err := lookupPath(v, c.Path)
		if err != nil {
			return nil, err
		}
		d := golden.Defect{Path: path, Kind: golden.DefectSchema, Pointer: c.Path, Rule: c.Rule, Detail: c.Message, Comparison: golden.TreatNotCompared}
		if c.Rule == "required" {
			for _, member := range missingMembers.FindAllStringSubmatch(c.Message, -1) {
				dd := d
				dd.Path = joinPath(path, member[1])
				dd.Detail = fmt.Sprintf("%s lacks %s, which the schema requires (AWS always sends it; the model marks no output member required)", displayPath(path), member[1])
				dd.Comparison = golden.TreatExtraNote
				out = append(out, dd)
			}
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

var missingMembers = regexp.MustCompile(`'([A-Za-z_]+)'`)

func displayPath(p string) string {
	if p == "" {
		return "the body"
	}
	return p
}

// semanticDefects finds what contradicts the contract in specs/ in an
// example's output (with wire timestamps): handshake ids, expiry, feature
// set values, the invited party, account ARNs.
func semanticDefects(body any) []golden.Defect {
	c := specs.Must()
	featureSets, _ := c.Enum("OrganizationFeatureSet")
	out := masterEmailDefects(body)
	walkBody(body, func(path, key string, parent map[string]any, v any) {
		h, ok := v.(map[string]any)
		if !ok {
			return
		}
		if (key == "Handshake" && parent != nil) || (key == "Handshakes" && parent == nil) {
			out = append(out, handshakeDefects(path, h, c.Lifecycle.ExpiresAfterSeconds)...)
		}
		if t, _ := h["Type"].(string); t == "ORGANIZATION_FEATURE_SET" {
			if val, _ := h["Value"].(string); !contains(featureSets.Conforming(), val) {
				out = append(out, golden.Defect{Path: joinPath(path, "Value"), Kind: golden.DefectSemantic,
					Detail:     fmt.Sprintf("ORGANIZATION_FEATURE_SET resource value %q is no OrganizationFeatureSet (%s)", val, strings.Join(featureSets.Conforming(), ", ")),
					Comparison: golden.TreatNotCompared})
			}
		}
	})
	return out
}

// masterEmailDefects: the handshakes of one list that name the same
// organization must name its management account by one email; a later
// handshake naming another contradicts the first (examples-1
// ListHandshakesForOrganization: bill@amazon.com, then bill@example.com).
func masterEmailDefects(body any) []golden.Defect {
	top, _ := body.(map[string]any)
	list, _ := top["Handshakes"].([]any)
	first := map[string]string{} // organization → the first handshake's MASTER_EMAIL
	var out []golden.Defect
	for i, x := range list {
		h, _ := x.(map[string]any)
		resources, _ := h["Resources"].([]any)
		for _, r := range resources {
			org, _ := r.(map[string]any)
			if org["Type"] != "ORGANIZATION" {
				continue
			}
			orgID, _ := org["Value"].(string)
			nested, _ := org["Resources"].([]any)
			for _, n := range nested {
				res, _ := n.(map[string]any)
				email, _ := res["Value"].(string)
				if res["Type"] != "MASTER_EMAIL" {
					continue
				}
				prev, seen := first[orgID]
				if !seen {
					first[orgID] = email
					continue
				}
				if email != prev {
					out = append(out, golden.Defect{Path: fmt.Sprintf("Handshakes[%d].Resources[Type=ORGANIZATION].Resources[Type=MASTER_EMAIL].Value", i), Kind: golden.DefectSemantic,
						Detail:     fmt.Sprintf("the MASTER_EMAIL of organization %s is %s here but %s in an earlier handshake of the list; an organization's management account has one email", orgID, email, prev),
						Comparison: golden.TreatNotCompared})
				}
			}
		}
	}
	return out
}

func handshakeDefects(path string, h map[string]any, expires int64) []golden.Defect {
	var out []golden.Defect
	id, _ := h["Id"].(string)
	arn, _ := h["Arn"].(string)
	if id != "" && arn != "" && !strings.HasSuffix(arn, "/"+id) {
		out = append(out, golden.Defect{Path: joinPath(path, "Arn"), Kind: golden.DefectSemantic,
			Detail:     fmt.Sprintf("the Arn ends in %s, not in the handshake's Id %s", arn[strings.LastIndex(arn, "/")+1:], id),
			Comparison: golden.TreatNotCompared})
	}
	req, okr := h["RequestedTimestamp"].(json.Number)
	exp, oke := h["ExpirationTimestamp"].(json.Number)
	if okr && oke {
		r, _ := req.Float64()
		e, _ := exp.Float64()
		if d := e - r; d != float64(expires) {
			out = append(out, golden.Defect{Path: joinPath(path, "ExpirationTimestamp"), Kind: golden.DefectSemantic,
				Detail:     fmt.Sprintf("ExpirationTimestamp is %s after RequestedTimestamp; a handshake expires %d days after it is requested (specs lifecycle expiresAfterSeconds %d)", days(d), expires/86400, expires),
				Comparison: golden.TreatNormalised})
		}
	}
	if action, _ := h["Action"].(string); action == "INVITE" {
		out = append(out, recipientDefects(path, h)...)
	}
	return out
}

// recipientDefects: an invitation's resources name the invited party as it
// was invited (the reference page's sample: party EMAIL, resource EMAIL).
func recipientDefects(path string, h map[string]any) []golden.Defect {
	parties, _ := h["Parties"].([]any)
	resources, _ := h["Resources"].([]any)
	labels := typedLabels(resources)
	if labels == nil {
		return nil
	}
	for _, p := range parties {
		party, _ := p.(map[string]any)
		pt, _ := party["Type"].(string)
		if pt != "EMAIL" && pt != "ACCOUNT" {
			continue
		}
		pid, _ := party["Id"].(string)
		var other []string
		for i, r := range resources {
			res, _ := r.(map[string]any)
			rt, _ := res["Type"].(string)
			rv, _ := res["Value"].(string)
			if rt == pt && rv == pid {
				return nil
			}
			if rt == "EMAIL" || rt == "ACCOUNT" {
				other = append(other, labels[i])
			}
		}
		var out []golden.Defect
		for _, label := range other {
			out = append(out, golden.Defect{Path: joinPath(path, "Resources") + "[" + label + "]", Kind: golden.DefectSemantic,
				Detail:     fmt.Sprintf("the invited party is %s %s but the resources name the recipient as %s; an invitation's resources name the party as it was invited (the reference page's sample: EMAIL party, EMAIL resource)", pt, pid, strings.TrimPrefix(label, "Type=")),
				Comparison: golden.TreatNotCompared})
		}
		return out
	}
	return nil
}

func days(seconds float64) string {
	return fmt.Sprintf("%g days", seconds/86400)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// walkBody calls fn for every value of a decoded body, with its path in
// golden.Lookup syntax, the member name that holds it and the object that
// holds that member (nil inside arrays).
func walkBody(v any, fn func(path, key string, parent map[string]any, v any)) {
	var walk func(path, key string, parent map[string]any, v any)
	walk = func(path, key string, parent map[string]any, v any) {
		fn(path, key, parent, v)
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(joinPath(path, k), k, x, x[k])
			}
		case []any:
			labels := typedLabels(x)
			if !keyedArray[key] {
				labels = nil
			}
			for i, e := range x {
				sel := strconv.Itoa(i)
				if labels != nil {
					sel = labels[i]
				}
				walk(path+"["+sel+"]", key, nil, e)
			}
		}
	}
	walk("", "", nil, v)
}

// keyedArray are the arrays golden.CompareBody matches by Type.
var keyedArray = map[string]bool{"Parties": true, "Resources": true, "AvailablePolicyTypes": true}

// typedLabels labels the elements of a list of objects with a Type
// ("Type=X", "Type=X#2" for the second of a Type), nil when an element has
// no Type.
func typedLabels(list []any) []string {
	count := map[string]int{}
	out := make([]string, len(list))
	for i, v := range list {
		m, _ := v.(map[string]any)
		t, ok := m["Type"].(string)
		if !ok {
			return nil
		}
		count[t]++
		out[i] = "Type=" + t
		if count[t] > 1 {
			out[i] += "#" + strconv.Itoa(count[t])
		}
	}
	return out
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lookupPath turns a JSON Pointer into the body into golden.Lookup syntax.
func lookupPath(body any, pointer string) (string, error) {
	if pointer == "" {
		return "", nil
	}
	path, key, v := "", "", body
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := v.(type) {
		case map[string]any:
			path, key, v = joinPath(path, tok), tok, x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return "", fmt.Errorf("pointer %s: bad index %s", pointer, tok)
			}
			sel := tok
			if labels := typedLabels(x); labels != nil && keyedArray[key] {
				sel = labels[i]
			}
			path, v = path+"["+sel+"]", x[i]
		default:
			return "", fmt.Errorf("pointer %s: %s inside a scalar", pointer, tok)
		}
	}
	return path, nil
}

// setAt sets the value at a golden.Lookup path of a body decoded without
// UseNumber (the expectation's copy).
func setAt(body any, path, value string) {
	steps := strings.Split(path, ".")
	v := body
	for i, step := range steps {
		name, sels, _ := strings.Cut(step, "[")
		obj, _ := v.(map[string]any)
		if sels == "" && i == len(steps)-1 {
			obj[name] = value
			return
		}
		v = obj[name]
		for _, sel := range strings.Split(strings.TrimSuffix(sels, "]"), "][") {
			if sel == "" {
				continue
			}
			list, _ := v.([]any)
			if n, err := strconv.Atoi(sel); err == nil {
				v = list[n]
				continue
			}
			for j, l := range typedLabels(list) {
				if l == sel {
					v = list[j]
				}
			}
		}
	}
}

func indent(raw json.RawMessage) ([]byte, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return indentValue(v)
}

// indentValue renders v as the goldens are written: keys sorted, two-space
// indent, no HTML escaping.
func indentValue(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// marshal renders a metadata file: two-space indent, final newline.
func marshal(v any) ([]byte, error) {
	data, err := indentValue(v)
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// The generator's pieces, on their own.

func TestEpochSeconds(t *testing.T) {
	for in, want := range map[string]string{
		"2017-02-16T09:36:05.02Z":  "1487237765.02",
		"2016-11-30T17:24:58.046Z": "1480526698.046",
		"2016-12-15T19:27:58Z":     "1481830078",
		"20170228T1215Z":           "1488284100",
		"20161215T193015Z":         "1481830215",
	} {
		ts, _, err := parseExampleTime(in)
		require.NoError(t, err, in)
		got, err := epochSeconds(ts)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, _, err := parseExampleTime("Feb 28 2017")
	assert.Error(t, err)
	_, err = epochSeconds(time.Unix(0, 1500))
	assert.Error(t, err, "finer than milliseconds")
}

func TestSemanticDefectsFindPlantedFaults(t *testing.T) {
	good := `{"Handshake":{"Id":"h-aaaaaaaaaa","Arn":"arn:aws:organizations::111111111111:handshake/o-aaaaaaaaaa/invite/h-aaaaaaaaaa","Action":"INVITE","State":"OPEN",
	  "RequestedTimestamp":1000,"ExpirationTimestamp":1297000,
	  "Parties":[{"Id":"o-aaaaaaaaaa","Type":"ORGANIZATION"},{"Id":"222222222222","Type":"ACCOUNT"}],
	  "Resources":[{"Type":"ORGANIZATION","Value":"o-aaaaaaaaaa","Resources":[{"Type":"ORGANIZATION_FEATURE_SET","Value":"ALL"}]},{"Type":"ACCOUNT","Value":"222222222222"}]}}`
	decode := func(s string) any {
		var v any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&v))
		return v
	}
	assert.Empty(t, semanticDefects(decode(good)))
	for fault, want := range map[[2]string]string{
		{`invite/h-aaaaaaaaaa"`, `invite/h-bbbbbbbbbb"`}:                                          "Handshake.Arn",
		{`"ExpirationTimestamp":1297000`, `"ExpirationTimestamp":1000`}:                           "Handshake.ExpirationTimestamp",
		{`"Value":"ALL"`, `"Value":"FULL"`}:                                                       "Handshake.Resources[Type=ORGANIZATION].Resources[Type=ORGANIZATION_FEATURE_SET].Value",
		{`{"Type":"ACCOUNT","Value":"222222222222"}`, `{"Type":"EMAIL","Value":"a@example.com"}`}: "Handshake.Resources[Type=EMAIL]",
	} {
		bad := strings.Replace(good, fault[0], fault[1], 1)
		require.NotEqual(t, good, bad)
		got := semanticDefects(decode(bad))
		require.Len(t, got, 1, "%s: %v", fault[1], got)
		assert.Equal(t, want, got[0].Path)
		assert.Equal(t, golden.DefectSemantic, got[0].Kind)
	}
}

func TestLookupPathFromPointer(t *testing.T) {
	var v any
	require.NoError(t, json.Unmarshal([]byte(`{"Handshakes":[{},{"Resources":[{"Type":"ACCOUNT"},{"Type":"NOTES"},{"Type":"NOTES","Value":1}]}]}`), &v))
	p, err := lookupPath(v, "/Handshakes/1/Resources/2/Value")
	require.NoError(t, err)
	assert.Equal(t, "Handshakes[1].Resources[Type=NOTES#2].Value", p)
	_, err = lookupPath(v, "/Handshakes/7")
	assert.Error(t, err)
}
