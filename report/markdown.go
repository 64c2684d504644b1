package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/internal/text"
)

// WriteMarkdown writes a fidelity summary of rep fit for a CI job summary
// page: the verdict, the target's capabilities, the counts per check group,
// one line per failure and one per cause of blocked checks.
func WriteMarkdown(w io.Writer, rep *check.Report, opts Options) error {
	var b strings.Builder
	verdict := "passed"
	switch s := rep.Summary(); {
	case rep.Interrupted:
		verdict = "interrupted"
	case Passed(rep, opts):
	case s.Passed == 0 && s.Failed == 0 && (s.Unsupported == 0 || opts.AllowUnsupported):
		verdict = "no verdict"
	default:
		verdict = "failed"
	}
	fmt.Fprintf(&b, "## orgconform: %s\n\n", verdict)
	fmt.Fprintf(&b, "Target `%s`, %s, %d requests in %s. %s.\n\n", mdCode(rep.Target), seedOf(rep), rep.Requests, rep.Duration.Round(1e6), SummaryLine(rep, opts))
	if rep.Interrupted {
		b.WriteString("**The run was interrupted**: checks not finished are counted as not run.\n\n")
	}
	if len(rep.Capabilities) > 0 {
		b.WriteString("| operation | capability | evidence |\n|---|---|---|\n")
		for _, c := range rep.Capabilities {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", c.Operation, c.Status, mdCell(text.Cut(c.Evidence, 100)))
		}
		for _, f := range rep.Flags {
			on := "no"
			if f.On {
				on = "yes"
			}
			fmt.Fprintf(&b, "| *%s* | %s | %s |\n", f.Name, on, mdCell(text.Cut(f.Evidence, 100)))
		}
		b.WriteString("\n")
	}
	b.WriteString("| group | checks | pass | fail | skip | unsupported | not run | requests |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, g := range Groups(rep) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %d |\n", g.Group, g.Checks, g.Passed, g.Failed, g.Skipped, g.Unsupported, g.NotRun, g.Requests)
	}
	b.WriteString("\n")
	var fails []string
	causes := map[string]int{}
	var causeOrder []string
	for _, r := range rep.Results {
		switch r.Status {
		case check.Fail:
			fails = append(fails, fmt.Sprintf("- `%s`: expected %s; observed %s", r.ID, mdCell(text.Cut(text.OneLine(r.Expected), 200)), mdCell(text.Cut(text.OneLine(r.Observed), 200))))
		case check.Unsupported:
			if causes[r.Cause] == 0 {
				causeOrder = append(causeOrder, r.Cause)
			}
			causes[r.Cause]++
		}
	}
	if len(fails) > 0 {
		b.WriteString("### Failures\n\n" + strings.Join(fails, "\n") + "\n\n")
	}
	if len(causeOrder) > 0 {
		b.WriteString("### Blocked\n\n")
		for _, c := range causeOrder {
			fmt.Fprintf(&b, "- %s: %s\n", text.Count(causes[c], "check"), mdCell(c))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell escapes text for a markdown table cell or list item.
func mdCell(s string) string {
	s = text.Visible(text.OneLine(s), "")
	return strings.NewReplacer("|", `\|`, "&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "'").Replace(s)
}

// mdCode keeps text inside a code span.
func mdCode(s string) string { return strings.ReplaceAll(text.Visible(s, ""), "`", "'") }
