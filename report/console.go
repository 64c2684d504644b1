package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/orgconform/orgconform/contract"
)

// WriteConsole writes the readable summary of rep: a table of every check
// (id, operation, verdict), the counts line "N passed, N failed, N skipped"
// (skipped includes unsupported), then each failure with expected and
// observed, the HTTP exchange (secrets redacted) and how to rerun it.
func WriteConsole(w io.Writer, rep *contract.Report, opts Options) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tOPERATION\tVERDICT")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, orDash(r.Operation), r.Status)
	}
	tw.Flush()
	s := rep.Summary()
	fmt.Fprintln(w)
	for _, r := range rep.Results {
		if r.Status == contract.Fail || (r.Status == contract.Unsupported && !opts.AllowUnsupported) {
			writeFailure(w, r)
		}
	}
	if len(rep.Cleanup) > 0 {
		fmt.Fprintf(w, "cleanup failed %d times; the target may keep state this run created:\n", len(rep.Cleanup))
		for _, c := range rep.Cleanup {
			fmt.Fprintf(w, "  %s\n", c)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "target %s, seed %d, %d requests in %s\n", rep.Target, rep.Seed, rep.Requests, rep.Duration.Round(1e6))
	if s.Unsupported > 0 {
		verdict := "they count as failures; --allow-unsupported accepts them"
		if opts.AllowUnsupported {
			verdict = "accepted (--allow-unsupported)"
		}
		fmt.Fprintf(w, "%d of the skipped checks are unsupported by the target: %s\n", s.Unsupported, verdict)
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", s.Passed, s.Failed, s.Skipped+s.Unsupported)
}

// visible replaces control characters other than newline and tab (a
// target's ESC sequences, NULs) so the report cannot drive the terminal,
// and drops carriage returns.
func visible(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '\r' {
			return -1 // CRLF line ends print as plain line ends
		}
		if c != '\n' && c != '\t' && unicode.IsControl(c) {
			return '\uFFFD'
		}
		return c
	}, s)
}

func writeFailure(w io.Writer, r contract.Result) {
	r.Expected, r.Observed, r.Exchange = visible(r.Expected), visible(r.Observed), visible(r.Exchange)
	fmt.Fprintf(w, "--- %s: %s (%s)\n", strings.ToUpper(string(r.Status)), r.ID, orDash(r.Operation))
	if r.Expected != "" {
		fmt.Fprintf(w, "    expected: %s\n", r.Expected)
	}
	fmt.Fprintf(w, "    observed: %s\n", r.Observed)
	if r.Exchange != "" {
		fmt.Fprintln(w, "    exchange:")
		for _, line := range strings.Split(strings.TrimRight(r.Exchange, "\n"), "\n") {
			fmt.Fprintf(w, "      %s\n", line)
		}
	}
	fmt.Fprintf(w, "    rerun: %s\n\n", r.Rerun)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
