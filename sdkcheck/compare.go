package sdkcheck

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orgconform/orgconform/golden"
	"github.com/orgconform/orgconform/internal/sdkmodel"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/sdkcheck/replay"
	"github.com/orgconform/orgconform/specs"
)

// VersionResult is what one SDK version did with the cases.
type VersionResult struct {
	Version string `json:"version"`
	Core    string `json:"core,omitempty"`   // aws-sdk-go-v2 the go command resolved with it
	Smithy  string `json:"smithy,omitempty"` // smithy-go likewise
	// Registry lists the exceptions the version's registry knows.
	Registry []string         `json:"registry"`
	Outcomes []replay.Outcome `json:"outcomes"`
}

// The verdicts of a Cell.
const (
	StatusOK          = "ok"   // decoded as expected
	StatusDiff        = "DIFF" // a difference: the check fails
	StatusNotModelled = "n/m"  // not modelled in this version: the expectation holds from a later one
	StatusRegression  = "regr" // a known regression of this version (specs/sdk.json): it held before and holds again later
)

// Cell is one version's verdict on one field.
type Cell struct {
	Version string `json:"version"`
	Decoded string `json:"decoded"`
	Status  string `json:"status"`
	Since   string `json:"since,omitempty"` // StatusNotModelled: the version the expectation holds from
	Note    string `json:"note,omitempty"`
}

// Row is one field of one golden (in one wire form) across the versions.
type Row struct {
	Form     string `json:"form,omitempty"`
	Field    string `json:"field"`
	Expected string `json:"expected"`
	Cells    []Cell `json:"cells"`
}

// Table is the rows of one golden: every field of the golden as recorded,
// and the fields of its wire forms that some version decodes differently.
type Table struct {
	Golden string `json:"golden"`
	Forms  int    `json:"forms"` // wire forms replayed besides as recorded
	Rows   []Row  `json:"rows"`
}

// Matching is the error matching one version showed in the probes.
type Matching struct {
	Version string `json:"version"`
	// CaseTyped of CaseProbes lower-cased codes decoded to the typed error
	// (probes of goldens the version does not decode at all left out).
	CaseProbes int `json:"caseProbes"`
	CaseTyped  int `json:"caseTyped"`
	// ScopeTyped of ScopeProbes codes of exceptions the called operation
	// does not document decoded to the typed error (exceptions the
	// version's registry lacks left out).
	ScopeProbes int `json:"scopeProbes"`
	ScopeTyped  int `json:"scopeTyped"`
	// Case is "insensitive", "sensitive", "mixed" or "unknown" (no probes).
	Case string `json:"case"`
	// Scope is "per-operation", "service-wide", "mixed" or "unknown".
	Scope string `json:"scope"`
	// Expected is the specs/sdk.json entry that covers the version.
	Expected *specs.ErrorMatching `json:"expected,omitempty"`
}

// Unclassified is an exception of some version's registry that the spec
// classifies neither in scope nor out of scope.
type Unclassified struct {
	Name     string   `json:"name"`
	Versions []string `json:"versions"`        // the versions whose registry has it
	NewIn    string   `json:"newIn,omitempty"` // the first of them, when an older version checked lacks it
}

// Report is the comparison of several SDK versions.
type Report struct {
	Versions []VersionSummary `json:"versions"`
	Tables   []Table          `json:"tables"`
	Matching []Matching       `json:"matching"`
	// MatchingChanges name each change of error matching between two
	// adjacent versions.
	MatchingChanges []string       `json:"matchingChanges"`
	Unclassified    []Unclassified `json:"unclassified"`
	// Unregistered lists, per version, the in-scope exceptions its
	// registry lacks (informational).
	Unregistered map[string][]string `json:"unregistered,omitempty"`
	Failures     []string            `json:"failures"`
	NotModelled  []string            `json:"notModelled"`
	// SinceNotes are the specs/sdk.json since entries that turned a
	// difference into "not modelled", each once, with its reason.
	SinceNotes []string `json:"sinceNotes,omitempty"`
	Cases      int      `json:"cases"`
	Probes     int      `json:"probes"`
}

// VersionSummary names one version checked.
type VersionSummary struct {
	Version    string `json:"version"`
	Core       string `json:"core,omitempty"`
	Smithy     string `json:"smithy,omitempty"`
	Exceptions int    `json:"exceptions"`
}

// Failed reports whether some version departs from the expectations.
func (r *Report) Failed() bool { return len(r.Failures) > 0 }

// Compare judges every version's outcomes against the cases' expectations
// and the contract c (the spec's exception classification, the since
// versions of expectations and the error matching of specs/sdk.json).
// Versions are reported oldest first.
func Compare(c *specs.Contract, cases []Case, results []VersionResult) *Report {
	results = append([]VersionResult(nil), results...)
	sort.SliceStable(results, func(i, j int) bool {
		return sdkmodel.CompareVersions(results[i].Version, results[j].Version) < 0
	})
	r := &Report{Unregistered: map[string][]string{}}
	outcomes := make([]map[string]replay.Outcome, len(results))
	for i, v := range results {
		r.Versions = append(r.Versions, VersionSummary{Version: v.Version, Core: v.Core, Smithy: v.Smithy, Exceptions: len(v.Registry)})
		outcomes[i] = map[string]replay.Outcome{}
		for _, o := range v.Outcomes {
			outcomes[i][o.ID] = o
		}
	}
	versions := func() []string {
		out := make([]string, len(results))
		for i, v := range results {
			out[i] = v.Version
		}
		return out
	}()

	tables := map[string]*Table{}
	var order []string
	table := func(g string) *Table {
		if tables[g] == nil {
			tables[g] = &Table{Golden: g}
			order = append(order, g)
		}
		return tables[g]
	}
	for _, cs := range cases {
		if cs.Want == nil {
			r.Probes++
			continue
		}
		r.Cases++
		t := table(cs.Golden)
		if cs.Form != "" {
			t.Forms++
		}
		for _, row := range caseRows(c, cs, versions, outcomes) {
			if cs.Form != "" && (allOK(row) || sameAsRecorded(t, row)) {
				continue // the form decodes as the golden itself: no news
			}
			t.Rows = append(t.Rows, row)
		}
		if cs.Want.Request != nil {
			rt := table(cs.Want.RequestGolden)
			rt.Rows = append(rt.Rows, requestRows(c, cs, versions, outcomes)...)
		}
	}
	notes := map[string]bool{}
	for _, g := range order {
		t := tables[g]
		r.Tables = append(r.Tables, *t)
		for _, row := range t.Rows {
			for _, cell := range row.Cells {
				if cell.Status == StatusNotModelled || cell.Status == StatusRegression {
					if s, ok := sinceFor(c, t.Golden, row.Form, row.Field, cell.Version); ok {
						n := sinceNote(s)
						if !notes[n] {
							notes[n] = true
							r.SinceNotes = append(r.SinceNotes, n)
						}
					}
				}
			}
			line, failed, nm := rowMessage(t.Golden, row)
			switch {
			case failed:
				r.Failures = append(r.Failures, line)
			case nm:
				r.NotModelled = append(r.NotModelled, line)
			}
		}
	}
	r.compareMatching(c, cases, results, outcomes)
	r.compareRegistry(c, results)
	return r
}

// sameAsRecorded reports whether a form's row has the same verdicts and
// decoded values in every version as the golden's own row of that field.
func sameAsRecorded(t *Table, row Row) bool {
	for _, r := range t.Rows {
		if r.Form != "" || r.Field != row.Field || len(r.Cells) != len(row.Cells) {
			continue
		}
		for i := range r.Cells {
			if r.Cells[i].Status != row.Cells[i].Status || r.Cells[i].Decoded != row.Cells[i].Decoded {
				return false
			}
		}
		return true
	}
	return false
}

func allOK(row Row) bool {
	for _, c := range row.Cells {
		if c.Status != StatusOK {
			return false
		}
	}
	return true
}

// field is one compared value of one outcome.
type field struct{ name, expected, decoded string }

// caseRows compares one golden case in every version. A field one version
// lists and another does not (an output path only some versions decode
// differently) was decoded as expected by the latter.
func caseRows(c *specs.Contract, cs Case, versions []string, outcomes []map[string]replay.Outcome) []Row {
	perVersion := make([][]field, len(versions))
	var rows []Row
	index := map[string]int{}
	for i := range versions {
		o, ok := outcomes[i][cs.ID]
		perVersion[i] = caseFields(cs, o, ok)
		for _, f := range perVersion[i] {
			if _, seen := index[f.name]; !seen {
				index[f.name] = len(rows)
				rows = append(rows, Row{Form: cs.Form, Field: f.name, Expected: f.expected})
			}
		}
	}
	for ri := range rows {
		row := &rows[ri]
		for i, v := range versions {
			f, ok := lookup(perVersion[i], row.Field)
			if !ok {
				f = field{name: row.Field, expected: row.Expected, decoded: row.Expected}
			}
			row.Cells = append(row.Cells, verdict(c, cs.Golden, cs.Form, row.Field, v, f))
		}
	}
	return rows
}

func lookup(fs []field, name string) (field, bool) {
	for _, f := range fs {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// caseFields lists what one outcome decoded against what cs expects.
func caseFields(cs Case, o replay.Outcome, ok bool) []field {
	switch {
	case !ok:
		return failedAll(cs, "(no outcome: the replay program skipped the case)")
	case o.Problem != "":
		return failedAll(cs, "(not replayed: "+o.Problem+")")
	}
	if w := cs.Want.Error; w != nil {
		if o.Error == nil {
			return failedAll(cs, "(no error: the call succeeded)")
		}
		d := o.Error
		typ := d.Type
		if typ == "" {
			typ = "(no API error: " + text.Cut(d.Text, 80) + ")"
		}
		return []field{
			{"type", expectedType(w.Type), typ},
			{"code", w.Code, d.Code},
			{"message", w.Message, d.Message},
			{"reason", w.Reason, d.Reason},
			{"fault", w.Fault, d.Fault},
		}
	}
	if o.Error != nil {
		return failedAll(cs, fmt.Sprintf("(error %s %s: %s)", o.Error.Type, o.Error.Code, text.Cut(o.Error.Message, 60)))
	}
	out := []field{{"output", outputSummary(cs.Want.Output), outputSummary(cs.Want.Output)}}
	var got any
	if data, err := json.Marshal(o.Output); err == nil {
		_ = json.Unmarshal(data, &got)
	}
	return append(out, diffValues("", cs.Want.Output, got)...)
}

// failedAll marks every field of cs as decoded to why.
func failedAll(cs Case, why string) []field {
	if w := cs.Want.Error; w != nil {
		return []field{
			{"type", expectedType(w.Type), why}, {"code", w.Code, why}, {"message", w.Message, why},
			{"reason", w.Reason, why}, {"fault", w.Fault, why},
		}
	}
	return []field{{"output", outputSummary(cs.Want.Output), why}}
}

// expectedType names an expectations.json type as replay names Go types.
func expectedType(t string) string {
	if strings.Contains(t, ".") {
		return t
	}
	return "types." + t
}

func outputSummary(o map[string]any) string {
	return fmt.Sprintf("%d values", countLeaves(o))
}

func countLeaves(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := 0
		for _, x := range v {
			n += countLeaves(x)
		}
		return n
	case []any:
		n := 0
		for _, x := range v {
			n += countLeaves(x)
		}
		return n
	case nil:
		return 0
	case string:
		if v == "" {
			return 0
		}
	}
	return 1
}

// diffValues lists the values of want that got lacks or holds differently
// (members got has and want does not are not compared: a newer SDK may
// model more). Empty strings and nulls count as absent; timestamps compare
// as instants.
func diffValues(path string, want, got any) []field {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []field
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, diffValues(p, w[k], g[k])...)
		}
		return out
	case []any:
		g, _ := got.([]any)
		if len(g) != len(w) {
			return []field{{path, fmt.Sprintf("%d items", len(w)), fmt.Sprintf("%d items", len(g))}}
		}
		var out []field
		for i := range w {
			out = append(out, diffValues(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	}
	ws, gs := scalar(want), scalar(got)
	if ws == gs || sameInstant(ws, gs) {
		return nil
	}
	return []field{{path, ws, gs}}
}

// scalar renders a plain value; "" for absent.
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case map[string]any, []any:
		data, _ := json.Marshal(v)
		return string(data)
	}
	return fmt.Sprint(v)
}

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

func sameInstant(a, b string) bool {
	ta, err1 := parseTime(a)
	tb, err2 := parseTime(b)
	return err1 == nil && err2 == nil && ta.Equal(tb)
}

// requestRows compares the request each version sent with the sample.
func requestRows(c *specs.Contract, cs Case, versions []string, outcomes []map[string]replay.Outcome) []Row {
	w := cs.Want.Request
	want := []string{w.Method, w.Path, w.Target, w.ContentType, w.Body}
	var rows []Row
	for fi, name := range requestFields {
		row := Row{Field: name, Expected: want[fi]}
		if name == "body" {
			row.Expected = text.OneLine(w.Body)
		}
		for i, v := range versions {
			o, ok := outcomes[i][cs.ID]
			f := field{name: name, expected: row.Expected}
			switch {
			case !ok || o.Request == nil:
				f.decoded = "(nothing sent)"
				if ok && o.Problem != "" {
					f.decoded = "(not replayed: " + o.Problem + ")"
				}
			case name == "body":
				f.decoded = text.OneLine(o.Request.Body)
				if golden.Compare([]byte(w.Body), []byte(o.Request.Body)) == "" {
					f.decoded = f.expected
				}
			default:
				f.decoded = []string{o.Request.Method, o.Request.Path, o.Request.Target, o.Request.ContentType}[fi]
			}
			row.Cells = append(row.Cells, verdict(c, cs.Want.RequestGolden, "", name, v, f))
		}
		rows = append(rows, row)
	}
	return rows
}

// verdict judges one field of one version, with the since versions of
// specs/sdk.json.
func verdict(c *specs.Contract, goldenPath, form, name, version string, f field) Cell {
	cell := Cell{Version: version, Decoded: f.decoded, Status: StatusOK}
	if f.decoded == f.expected {
		return cell
	}
	cell.Status = StatusDiff
	if s, ok := sinceFor(c, goldenPath, form, name, version); ok {
		cell.Status, cell.Since, cell.Note = StatusNotModelled, s.Version, s.Note
		if s.From != "" {
			cell.Status = StatusRegression
		}
	}
	return cell
}

// sinceFor finds the latest since entry for the field that version
// predates.
func sinceFor(c *specs.Contract, goldenPath, form, name, version string) (specs.Since, bool) {
	var best specs.Since
	found := false
	for _, s := range c.SDK.Since {
		if !goldenMatches(s.Golden, goldenPath) || (s.Form != "" && s.Form != form) || (s.Field != "" && s.Field != name) {
			continue
		}
		if s.From != "" && sdkmodel.CompareVersions(version, s.From) < 0 {
			continue // before a known regression: the expectation holds
		}
		if sdkmodel.CompareVersions(version, s.Version) < 0 && (!found || sdkmodel.CompareVersions(s.Version, best.Version) > 0) {
			best, found = s, true
		}
	}
	return best, found
}

// sinceNote is one since entry on one line: what it covers, from which
// version, and why.
func sinceNote(s specs.Since) string {
	what := s.Golden
	if s.Form != "" {
		what += " [" + s.Form + "]"
	}
	if s.Field != "" {
		what += " " + s.Field
	}
	if s.From != "" {
		return fmt.Sprintf("%s regressed from %s, holds again from %s: %s", what, s.From, s.Version, s.Note)
	}
	return fmt.Sprintf("%s holds from %s: %s", what, s.Version, s.Note)
}

// goldenMatches reports whether a since entry's golden (a path, or a
// path.Match pattern such as "*/errors/*.http") names goldenPath.
func goldenMatches(pattern, goldenPath string) bool {
	if pattern == goldenPath {
		return true
	}
	ok, err := path.Match(pattern, goldenPath)
	return err == nil && ok
}

// rowMessage is the one-line account of a row with a difference or a
// version that does not model it: the golden, the form, the field, the
// expected value and what each version decodes.
func rowMessage(goldenPath string, row Row) (line string, failed, notModelled bool) {
	var parts, asExpected []string
	for _, c := range row.Cells {
		switch c.Status {
		case StatusOK:
			asExpected = append(asExpected, c.Version)
		case StatusDiff:
			failed = true
			parts = append(parts, fmt.Sprintf("%s decodes %s", c.Version, quote(c.Decoded, 100)))
		case StatusNotModelled:
			notModelled = true
			parts = append(parts, fmt.Sprintf("%s decodes %s (not modelled in this version: holds from %s)", c.Version, quote(c.Decoded, 100), c.Since))
		case StatusRegression:
			notModelled = true
			parts = append(parts, fmt.Sprintf("%s decodes %s (a known regression of this version: holds again from %s)", c.Version, quote(c.Decoded, 100), c.Since))
		}
	}
	if !failed && !notModelled {
		return "", false, false
	}
	if len(asExpected) == 1 {
		parts = append(parts, asExpected[0]+" decodes it as expected")
	} else if len(asExpected) > 1 {
		parts = append(parts, strings.Join(asExpected, ", ")+" decode it as expected")
	}
	where := goldenPath
	if row.Form != "" {
		where += " [" + row.Form + "]"
	}
	return fmt.Sprintf("%s: %s: expected %s; %s", where, row.Field, quote(row.Expected, 100), strings.Join(parts, "; ")), failed, notModelled
}

// quote shows a value in a message: quoted, cut to n runes.
func quote(s string, n int) string {
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		return text.Cut(s, n)
	}
	return strconv.Quote(text.Cut(s, n))
}

// matchingFor returns the specs/sdk.json entry covering version.
func matchingFor(c *specs.Contract, version string) *specs.ErrorMatching {
	var best *specs.ErrorMatching
	for i, m := range c.SDK.ErrorMatching {
		if sdkmodel.CompareVersions(m.Since, version) <= 0 && (best == nil || sdkmodel.CompareVersions(m.Since, best.Since) > 0) {
			best = &c.SDK.ErrorMatching[i]
		}
	}
	return best
}

// observed names what a count of typed answers out of probes shows.
func observed(typed, probes int, all, none string) string {
	switch {
	case probes == 0:
		return "unknown"
	case typed == probes:
		return all
	case typed == 0:
		return none
	}
	return "mixed"
}

func caseName(sensitive bool) string {
	if sensitive {
		return "sensitive"
	}
	return "insensitive"
}

func scopeName(scope string) string {
	if scope == specs.ScopeService {
		return "service-wide"
	}
	return "per-operation"
}

// compareMatching reads each version's error matching from the probes,
// compares it with specs/sdk.json and names the changes between versions.
func (r *Report) compareMatching(c *specs.Contract, cases []Case, results []VersionResult, outcomes []map[string]replay.Outcome) {
	for i, v := range results {
		m := Matching{Version: v.Version}
		registered := map[string]bool{}
		for _, name := range v.Registry {
			registered[name] = true
		}
		for _, cs := range cases {
			if cs.Probe == "" {
				continue
			}
			o := outcomes[i][cs.ID]
			typed := o.Error != nil && o.Error.Type == "types."+cs.Code
			switch cs.Probe {
			case ProbeCase:
				if g := outcomes[i][cs.Golden]; g.Error == nil || g.Error.Type != "types."+cs.Code {
					continue // the version does not decode even the golden's own code to the type
				}
				m.CaseProbes++
				if typed {
					m.CaseTyped++
				}
			case ProbeScope:
				if !registered[cs.Code] {
					continue // the version does not know the exception at all
				}
				m.ScopeProbes++
				if typed {
					m.ScopeTyped++
				}
			}
		}
		m.Case = observed(m.CaseTyped, m.CaseProbes, "insensitive", "sensitive")
		m.Scope = observed(m.ScopeTyped, m.ScopeProbes, "service-wide", "per-operation")
		m.Expected = matchingFor(c, v.Version)
		r.Matching = append(r.Matching, m)
		r.Failures = append(r.Failures, matchingFailures(m)...)
	}
	for i := 1; i < len(r.Matching); i++ {
		a, b := r.Matching[i-1], r.Matching[i]
		var changes []string
		if a.Case != b.Case {
			changes = append(changes, fmt.Sprintf("case-%s → case-%s", a.Case, b.Case))
		}
		if a.Scope != b.Scope {
			changes = append(changes, fmt.Sprintf("%s → %s", a.Scope, b.Scope))
		}
		if len(changes) == 0 {
			continue
		}
		recorded := "not recorded in specs/sdk.json"
		for _, e := range c.SDK.ErrorMatching {
			if sdkmodel.CompareVersions(e.Since, a.Version) > 0 && sdkmodel.CompareVersions(e.Since, b.Version) <= 0 {
				recorded = "recorded in specs/sdk.json from " + e.Since
			}
		}
		r.MatchingChanges = append(r.MatchingChanges, fmt.Sprintf("error matching changed between %s and %s: %s (%s)", a.Version, b.Version, strings.Join(changes, ", "), recorded))
	}
}

// matchingFailures compares one version's observed matching with the spec.
func matchingFailures(m Matching) []string {
	var out []string
	if m.Case == "mixed" {
		out = append(out, fmt.Sprintf("error matching: %s: case: mixed: %d of %d lower-cased codes decoded to the typed error", m.Version, m.CaseTyped, m.CaseProbes))
	}
	if m.Scope == "mixed" {
		out = append(out, fmt.Sprintf("error matching: %s: scope: mixed: %d of %d codes of undocumented exceptions decoded to the typed error", m.Version, m.ScopeTyped, m.ScopeProbes))
	}
	if m.Expected == nil {
		if m.Case != "unknown" || m.Scope != "unknown" {
			out = append(out, fmt.Sprintf("error matching: %s: specs/sdk.json errorMatching has no entry for this version", m.Version))
		}
		return out
	}
	if want := caseName(m.Expected.CaseSensitive); m.Case != "unknown" && m.Case != "mixed" && m.Case != want {
		out = append(out, fmt.Sprintf("error matching: %s matches codes case-%s (%d of %d lower-cased codes decoded to the typed error); specs/sdk.json says case-%s from %s",
			m.Version, m.Case, m.CaseTyped, m.CaseProbes, want, m.Expected.Since))
	}
	if want := scopeName(m.Expected.Scope); m.Scope != "unknown" && m.Scope != "mixed" && m.Scope != want {
		out = append(out, fmt.Sprintf("error matching: %s matches codes %s (%d of %d codes of undocumented exceptions decoded to the typed error); specs/sdk.json says %s from %s",
			m.Version, m.Scope, m.ScopeTyped, m.ScopeProbes, want, m.Expected.Since))
	}
	return out
}

// compareRegistry finds the exceptions of each version's registry that the
// spec does not classify, and the in-scope ones a registry lacks.
func (r *Report) compareRegistry(c *specs.Contract, results []VersionResult) {
	byName := map[string]*Unclassified{}
	var names []string
	for _, v := range results {
		has := map[string]bool{}
		for _, name := range v.Registry {
			has[name] = true
			if c.Classification(name) != "" {
				continue
			}
			if byName[name] == nil {
				byName[name] = &Unclassified{Name: name}
				names = append(names, name)
			}
			byName[name].Versions = append(byName[name].Versions, v.Version)
		}
		for _, e := range c.Errors {
			if !has[e.Name] {
				r.Unregistered[v.Version] = append(r.Unregistered[v.Version], e.Name)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		u := byName[name]
		if len(results) > 0 && u.Versions[0] != results[0].Version {
			u.NewIn = u.Versions[0]
		}
		r.Unclassified = append(r.Unclassified, *u)
		r.Failures = append(r.Failures, u.String())
	}
}

// String is the one-line account of an unclassified exception.
func (u Unclassified) String() string {
	where := "in " + strings.Join(u.Versions, ", ")
	if u.NewIn != "" {
		where = "new in " + u.NewIn
	}
	return fmt.Sprintf("unclassified: %s (%s): in the SDK's registry but neither in specs/errors.json (in scope) nor in specs/sdk.json outOfScope", u.Name, where)
}
