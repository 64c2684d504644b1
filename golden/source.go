package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// PrimaryStem is the stem of an operation's primary sample:
// <Operation>/sample.request.http and <Operation>/sample.response.http.
// Further samples of the same operation are <Operation>/sample-<name>.*.
const PrimaryStem = "sample"

// Source says where the samples of one operation come from
// (<Operation>/source.json): which document, which example, how the wire
// message was built from it, and the defects of the example that the golden
// keeps (drift data).
type Source struct {
	Comment   string         `json:"$comment"`
	Operation string         `json:"operation"`
	Samples   []SampleSource `json:"samples"`
}

// SampleSource is the provenance of one sample (or of one documented
// example that is not a golden: Stem "" and NotAGolden saying why).
type SampleSource struct {
	Stem       string `json:"stem"`             // files <Stem>.request.http and <Stem>.response.http
	Source     string `json:"source"`           // reference (the API page) or model (botocore's model files)
	File       string `json:"file"`             // the document, e.g. botocore/data/organizations/2016-11-28/examples-1.json
	SHA256     string `json:"sha256,omitempty"` // of File, when the generator read it
	Botocore   string `json:"botocore,omitempty"`
	Example    string `json:"example,omitempty"` // the example's id in examples-1.json
	Title      string `json:"title,omitempty"`
	NotAGolden string `json:"notAGolden,omitempty"`
	// Wire says how the wire messages were built from the example: what the
	// example lacks (headers, an empty body) and what stands in for it.
	Wire        string       `json:"wire,omitempty"`
	Conversions []Conversion `json:"conversions,omitempty"`
	Defects     []Defect     `json:"defects,omitempty"`
}

// Conversion is one value written on the wire differently from the
// example: timestamps, which examples write as date strings and awsJson1_1
// sends as epoch seconds.
type Conversion struct {
	Path    string `json:"path"`
	Example string `json:"example"`
	Wire    string `json:"wire"`
}

// Defect is a place where the documented example breaks the schema, the
// model or the contract and the golden keeps it (faithful to the source).
// Comparison says how CompareSample treats it.
type Defect struct {
	Path string `json:"path"` // in the syntax of Lookup
	// Kind: schema (the golden fails its JSON Schema; Pointer and Rule are the
	// validator's cause), model (breaks the botocore model or Smithy's rules
	// for examples) or semantic (contradicts the contract in specs/).
	Kind       string `json:"kind"`
	Pointer    string `json:"pointer,omitempty"`
	Rule       string `json:"rule,omitempty"`
	Detail     string `json:"detail"`
	Comparison string `json:"comparison"`
}

// Defect kinds.
const (
	DefectSchema   = "schema"
	DefectModel    = "model"
	DefectSemantic = "semantic"
)

// How CompareSample treats a defect (Defect.Comparison).
const (
	// TreatNotCompared: the golden's value at Path (and below) is not
	// compared; a live answer that differs there gets a note.
	TreatNotCompared = "not-compared"
	// TreatExtraNote: the golden lacks the member at Path; a live answer
	// that has it gets the extra-member note every extra member gets.
	TreatExtraNote = "extra-member-note"
	// TreatNormalised: normalisation already hides the value (timestamps are
	// compared by type only), nothing more to do.
	TreatNormalised = "normalised"
)

var treatments = map[string]bool{TreatNotCompared: true, TreatExtraNote: true, TreatNormalised: true}
var defectKinds = map[string]bool{DefectSchema: true, DefectModel: true, DefectSemantic: true}

// LoadSource reads the embedded <op>/source.json.
func LoadSource(op string) (*Source, error) {
	data, err := fs.ReadFile(files, op+"/source.json")
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Source
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("golden: %s/source.json: %w", op, err)
	}
	for _, smp := range s.Samples {
		for _, d := range smp.Defects {
			if !treatments[d.Comparison] || !defectKinds[d.Kind] {
				return nil, fmt.Errorf("golden: %s/source.json: %s: defect at %s: bad kind %q or comparison %q", op, smp.Stem, d.Path, d.Kind, d.Comparison)
			}
		}
	}
	return &s, nil
}

// Sample returns the sample with stem of s, if any.
func (s *Source) Sample(stem string) (SampleSource, bool) {
	for _, smp := range s.Samples {
		if smp.Stem == stem && stem != "" {
			return smp, true
		}
	}
	return SampleSource{}, false
}

// Operations returns the operations that have a primary sample
// (<Operation>/sample.response.http), sorted.
func Operations() ([]string, error) {
	paths, err := fs.Glob(files, "*/"+PrimaryStem+".response.http")
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, strings.TrimSuffix(p, "/"+PrimaryStem+".response.http"))
	}
	sort.Strings(out)
	return out, nil
}

// SampleStems returns the stems of op's samples: PrimaryStem first, then
// the others sorted. A stem names <op>/<stem>.request.http and
// <op>/<stem>.response.http.
func SampleStems(op string) ([]string, error) {
	paths, err := fs.Glob(files, op+"/"+PrimaryStem+"*.response.http")
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	var out []string
	for _, p := range paths {
		stem := strings.TrimSuffix(strings.TrimPrefix(p, op+"/"), ".response.http")
		if stem == PrimaryStem || strings.HasPrefix(stem, PrimaryStem+"-") {
			out = append(out, stem)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i] == PrimaryStem) != (out[j] == PrimaryStem) {
			return out[i] == PrimaryStem
		}
		return out[i] < out[j]
	})
	if len(out) == 0 {
		return nil, fmt.Errorf("golden: no sample of %s", op)
	}
	return out, nil
}

// Sample returns op's documented sample response
// (<op>/sample.response.http).
func Sample(op string) (*Message, error) { return Read(op + "/" + PrimaryStem + ".response.http") }

// SampleRequest returns op's documented sample request
// (<op>/sample.request.http).
func SampleRequest(op string) (*Message, error) {
	return Read(op + "/" + PrimaryStem + ".request.http")
}

// CompareSample compares a live response body of op with op's primary
// sample response: CompareBody, except that differences at the defects the
// sample keeps from its source (source.json, comparison "not-compared") are
// notes saying so.
func CompareSample(op string, got []byte) (Comparison, error) {
	return CompareSampleStem(op, PrimaryStem, got)
}

// CompareSampleStem is CompareSample with the sample named by stem (see
// SampleStems).
func CompareSampleStem(op, stem string, got []byte) (Comparison, error) {
	want, err := Read(op + "/" + stem + ".response.http")
	if err != nil {
		return Comparison{}, err
	}
	src, err := LoadSource(op)
	if err != nil {
		return Comparison{}, err
	}
	smp, ok := src.Sample(stem)
	if !ok {
		return Comparison{}, fmt.Errorf("golden: %s/source.json has no sample %q", op, stem)
	}
	return compareBodies(want.Body, got, smp.Defects), nil
}

// pathStep is one step of a Lookup path: a member, an index or a Type key.
var pathStep = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)?((?:\[[^\]]+\])*)$`)
var pathIndex = regexp.MustCompile(`\[([^\]]+)\]`)

// Lookup returns the value at path in the JSON body, as JSON. A path is the
// member names from the top joined by ".", with "[i]" for the i-th element
// of an array (from 0) and "[Type=X]" for the element of Parties, Resources
// or AvailablePolicyTypes whose Type is X ("[Type=X#2]" for the second
// such), as CompareBody writes them: "Handshake.Parties[Type=EMAIL].Id",
// "Handshakes[1].Arn". The empty path is the whole body.
func Lookup(body []byte, path string) (json.RawMessage, error) {
	v, err := decode(body)
	if err != nil {
		return nil, err
	}
	if path != "" {
		for _, step := range strings.Split(path, ".") {
			m := pathStep.FindStringSubmatch(step)
			if m == nil || step == "" {
				return nil, fmt.Errorf("golden: path %q: bad step %q", path, step)
			}
			if m[1] != "" {
				obj, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("golden: path %q: %s is not a member of an object", path, m[1])
				}
				if v, ok = obj[m[1]]; !ok {
					return nil, fmt.Errorf("golden: path %q: no member %s", path, m[1])
				}
			}
			for _, idx := range pathIndex.FindAllStringSubmatch(m[2], -1) {
				if v, err = element(v, idx[1]); err != nil {
					return nil, fmt.Errorf("golden: path %q: %w", path, err)
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("golden: path %q: %w", path, err)
	}
	return json.RawMessage(bytes.TrimSpace(buf.Bytes())), nil
}

// element selects "[i]" or "[Type=X]" / "[Type=X#n]" of an array.
func element(v any, sel string) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("[%s] of a value that is not an array", sel)
	}
	if i, err := strconv.Atoi(sel); err == nil {
		if i < 0 || i >= len(list) {
			return nil, fmt.Errorf("index %d out of %d elements", i, len(list))
		}
		return list[i], nil
	}
	if !strings.HasPrefix(sel, "Type=") || !allTyped(list) {
		return nil, fmt.Errorf("bad selector [%s]", sel)
	}
	for i, l := range typeLabels(list) {
		if "["+l+"]" == "["+sel+"]" {
			return list[i], nil
		}
	}
	return nil, fmt.Errorf("no element [%s]", sel)
}
