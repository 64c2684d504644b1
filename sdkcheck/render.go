package sdkcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/orgconform/orgconform/internal/sdkmodel"
	"github.com/orgconform/orgconform/internal/text"
)

// cellWidth is the most runes of a value a table cell shows.
const cellWidth = 44

// WriteText renders r for a terminal: the versions, a table per golden
// (expected vs what each version decodes), the error matching, the
// registry, then every difference and every field a version does not
// model, one line each, and a summary line.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("SDK versions checked (%s):\n", sdkmodel.Module)
	for _, v := range r.Versions {
		ew.printf("  %s  core %s, smithy-go %s, %d exceptions in the registry\n", v.Version, orUnknown(v.Core), orUnknown(v.Smithy), v.Exceptions)
	}
	ew.printf("\nok = decoded as expected; DIFF = a difference (fails); n/m = not modelled in this version (the expectation holds from a later one); regr = a known regression of this version (it held before, holds again from a later one)\n")
	for _, t := range r.Tables {
		if strings.HasSuffix(t.Golden, ".request.http") && allRowsOK(t) {
			ew.printf("\n%s: every version sends it (%s as the sample)\n", t.Golden, strings.Join(requestFields, ", "))
			continue
		}
		ew.printf("\n%s", t.Golden)
		if t.Forms > 0 {
			ew.printf("  (as recorded and %d wire forms of its type; a form is listed only where it decodes otherwise)", t.Forms)
		}
		ew.printf("\n")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  FIELD\tEXPECTED")
		for _, v := range r.Versions {
			fmt.Fprintf(tw, "\t%s", v.Version)
		}
		fmt.Fprintln(tw)
		for _, row := range t.Rows {
			name := row.Field
			if row.Form != "" {
				name += " [" + row.Form + "]"
			}
			fmt.Fprintf(tw, "  %s\t%s", name, cellValue(row.Expected))
			for _, c := range row.Cells {
				fmt.Fprintf(tw, "\t%s", cellText(c))
			}
			fmt.Fprintln(tw)
		}
		_ = tw.Flush()
	}
	r.writeMatching(ew)
	r.writeRegistry(ew)
	if len(r.NotModelled) > 0 {
		ew.printf("\nNot modelled, or a known regression, in some versions (%d):\n", len(r.NotModelled))
		for _, l := range r.NotModelled {
			ew.printf("  %s\n", l)
		}
		ew.printf("  why (specs/sdk.json since):\n")
		for _, n := range r.SinceNotes {
			ew.printf("    %s\n", n)
		}
	}
	if len(r.Failures) > 0 {
		ew.printf("\nDifferences (%d):\n", len(r.Failures))
		for _, l := range r.Failures {
			ew.printf("  %s\n", l)
		}
	}
	ew.printf("\n%s\n", r.Summary())
	return ew.err
}

// Summary is the closing line: what was checked and what was found.
func (r *Report) Summary() string {
	verdict := "no differences"
	if r.Failed() {
		verdict = fmt.Sprintf("%d differences", len(r.Failures))
		if len(r.Failures) == 1 {
			verdict = "1 difference"
		}
	}
	goldens := 0
	for _, t := range r.Tables {
		if strings.HasSuffix(t.Golden, ".http") {
			goldens++
		}
	}
	return fmt.Sprintf("%d versions, %d goldens (%d cases with their wire forms, %d probes): %s, %d not modelled, %d unclassified",
		len(r.Versions), goldens, r.Cases, r.Probes, verdict, len(r.NotModelled), len(r.Unclassified))
}

func (r *Report) writeMatching(ew *errWriter) {
	ew.printf("\nError matching (lower-cased codes; codes of exceptions the called operation does not document)\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  \t")
	for _, m := range r.Matching {
		fmt.Fprintf(tw, "\t%s", m.Version)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "  case of codes\tobserved")
	for _, m := range r.Matching {
		fmt.Fprintf(tw, "\t%s (%d/%d typed)", m.Case, m.CaseTyped, m.CaseProbes)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "  \tspecs/sdk.json")
	for _, m := range r.Matching {
		s := "no entry"
		if m.Expected != nil {
			s = caseName(m.Expected.CaseSensitive) + " from " + m.Expected.Since
		}
		fmt.Fprintf(tw, "\t%s", s)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "  scope\tobserved")
	for _, m := range r.Matching {
		fmt.Fprintf(tw, "\t%s (%d/%d typed)", m.Scope, m.ScopeTyped, m.ScopeProbes)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "  \tspecs/sdk.json")
	for _, m := range r.Matching {
		s := "no entry"
		if m.Expected != nil {
			s = scopeName(m.Expected.Scope) + " from " + m.Expected.Since
		}
		fmt.Fprintf(tw, "\t%s", s)
	}
	fmt.Fprintln(tw)
	_ = tw.Flush()
	if len(r.MatchingChanges) == 0 && len(r.Matching) > 1 {
		ew.printf("  no change between the versions checked\n")
	}
	for _, c := range r.MatchingChanges {
		ew.printf("  %s\n", c)
	}
}

func (r *Report) writeRegistry(ew *errWriter) {
	ew.printf("\nException registry (every exception must be in scope, specs/errors.json, or out of scope, specs/sdk.json)\n")
	for _, v := range r.Versions {
		line := fmt.Sprintf("  %s: %d exceptions", v.Version, v.Exceptions)
		if miss := r.Unregistered[v.Version]; len(miss) > 0 {
			line += fmt.Sprintf("; lacks in-scope %s (its goldens read not modelled or differ)", strings.Join(miss, ", "))
		}
		ew.printf("%s\n", line)
	}
	if len(r.Unclassified) == 0 {
		ew.printf("  every exception classified\n")
	}
	for _, u := range r.Unclassified {
		ew.printf("  %s\n", u)
	}
}

func allRowsOK(t Table) bool {
	for _, row := range t.Rows {
		if !allOK(row) {
			return false
		}
	}
	return true
}

// cellText renders one version's verdict in a table.
func cellText(c Cell) string {
	switch c.Status {
	case StatusOK:
		return StatusOK
	case StatusNotModelled, StatusRegression:
		return c.Status + " " + cellValue(c.Decoded)
	}
	return c.Status + " " + cellValue(c.Decoded)
}

// cellValue shows a value in a table cell: quoted unless it is an
// explanation in parentheses, cut to cellWidth, never a tab or newline.
func cellValue(s string) string {
	s = text.OneLine(s)
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		return text.Cut(s, cellWidth)
	}
	return strconv.Quote(text.Cut(s, cellWidth))
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
