package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/internal/text"
)

// WriteConsole writes the readable summary of rep: the target's
// capabilities, a table of every check (not when Quiet), each failure with
// what was expected (and its source), what was observed, notes, every
// exchange of its scenario numbered (secrets redacted) and how to rerun it;
// then one line per cause of skipped and unsupported checks, notes, cleanup
// failures, and the counts. An interrupted run says so on its last line.
func WriteConsole(w io.Writer, rep *check.Report, opts Options) {
	writeCapabilities(w, rep)
	if !opts.Quiet {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CHECK\tOPERATION\tVERDICT")
		for _, r := range rep.Results {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, orDash(r.Operation), r.Status)
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	for _, r := range rep.Results {
		if r.Status == check.Fail {
			writeFailure(w, r)
		}
	}
	writeCauses(w, rep, opts)
	if !opts.Quiet {
		writeNotes(w, rep)
	}
	if len(rep.Cleanup) > 0 {
		fmt.Fprintf(w, "cleanup failed %d times; the target may keep state this run created:\n", len(rep.Cleanup))
		for _, c := range rep.Cleanup {
			fmt.Fprintf(w, "  %s\n", visible(c))
		}
		fmt.Fprintln(w)
	}
	shard := ""
	if rep.Shard != "" {
		shard = ", shard " + rep.Shard
	}
	mem := ""
	if rep.PeakRSS > 0 {
		mem = fmt.Sprintf(", peak memory %d MiB", rep.PeakRSS>>20)
	}
	fmt.Fprintf(w, "target %s, %s%s, %d requests in %s%s\n", visible(rep.Target), seedOf(rep), shard, rep.Requests, rep.Duration.Round(1e6), mem)
	fmt.Fprintln(w, SummaryLine(rep, opts))
	if rep.Interrupted {
		fmt.Fprintf(w, "interrupted: the run stopped before %s finished; they are reported as not run\n", text.Count(rep.Summary().NotRun, "check"))
	}
}

// SummaryLine is the one-line count of a run: how many checks ran and how
// each ended.
func SummaryLine(rep *check.Report, opts Options) string {
	s := rep.Summary()
	line := fmt.Sprintf("%s ran: %d passed, %d failed, %d skipped, %d unsupported", text.Count(s.Ran, "check"), s.Passed, s.Failed, s.Skipped, s.Unsupported)
	if s.Unsupported > 0 {
		if opts.AllowUnsupported {
			line += " (accepted: --allow-unsupported)"
		} else {
			line += " (they count as failures; --allow-unsupported accepts them)"
		}
	}
	if s.NotRun > 0 {
		line += fmt.Sprintf(", %d not run", s.NotRun)
	}
	if s.Ran > 0 && s.Passed == 0 && s.Failed == 0 && (s.Unsupported == 0 || opts.AllowUnsupported) {
		line += "; no check reached a verdict, so the run does not pass"
	}
	return line
}

// writeCapabilities prints what the run learned of the target.
func writeCapabilities(w io.Writer, rep *check.Report) {
	if len(rep.Capabilities) == 0 && len(rep.Flags) == 0 {
		return
	}
	fmt.Fprintln(w, "capabilities:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range rep.Capabilities {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Operation, c.Status, visible(text.Cut(c.Evidence, 100)))
	}
	for _, f := range rep.Flags {
		on := "no"
		if f.On {
			on = "yes"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Name, on, visible(text.Cut(f.Evidence, 100)))
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// writeCauses prints one line per cause of skipped, unsupported and
// not-run checks: the check and its reason when it stands alone, the count
// and one example when several share it.
func writeCauses(w io.Writer, rep *check.Report, opts Options) {
	type cause struct {
		status  check.Status
		name    string
		results []check.Result
	}
	var causes []*cause
	index := map[string]*cause{}
	for _, r := range rep.Results {
		if r.Status != check.Skip && r.Status != check.Unsupported && r.Status != check.NotRun {
			continue
		}
		name := r.Cause
		if name == "" {
			name = r.Observed
		}
		key := string(r.Status) + "\x00" + name
		c := index[key]
		if c == nil {
			c = &cause{status: r.Status, name: name}
			index[key] = c
			causes = append(causes, c)
		}
		c.results = append(c.results, r)
	}
	if len(causes) == 0 {
		return
	}
	order := map[check.Status]int{check.Unsupported: 0, check.NotRun: 1, check.Skip: 2}
	sort.SliceStable(causes, func(i, j int) bool {
		if order[causes[i].status] != order[causes[j].status] {
			return order[causes[i].status] < order[causes[j].status]
		}
		return len(causes[i].results) > len(causes[j].results)
	})
	verb := map[check.Status]string{check.Skip: "skipped", check.Unsupported: "blocked", check.NotRun: "not run"}
	for _, c := range causes {
		first := c.results[0]
		if len(c.results) == 1 {
			fmt.Fprintf(w, "%s %s: %s\n", strings.ToUpper(string(c.status)), first.ID, visible(text.Cut(text.OneLine(first.Observed), 240)))
			continue
		}
		fmt.Fprintf(w, "%s %s: %s — e.g. %s: %s\n", text.Count(len(c.results), "check"), verb[c.status], visible(c.name), first.ID,
			visible(text.Cut(text.OneLine(strings.TrimPrefix(first.Observed, c.name+": ")), 160)))
	}
	fmt.Fprintln(w)
}

// writeNotes prints the notes of every check, each once.
func writeNotes(w io.Writer, rep *check.Report) {
	seen := map[string]bool{}
	var out []string
	for _, r := range rep.Results {
		for _, n := range r.Notes {
			if !seen[n] {
				seen[n] = true
				out = append(out, fmt.Sprintf("  %s: %s", r.ID, visible(n)))
			}
		}
	}
	if len(out) == 0 {
		return
	}
	fmt.Fprintln(w, "notes (not failures):")
	for _, n := range out {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w)
}

// visible keeps a target's control characters off the terminal (newlines
// and tabs stay; carriage returns go).
func visible(s string) string { return text.Visible(s, "\n\t") }

func writeFailure(w io.Writer, r check.Result) {
	fmt.Fprintf(w, "--- %s: %s (%s)\n", strings.ToUpper(string(r.Status)), r.ID, orDash(r.Operation))
	if r.Expected != "" {
		fmt.Fprintf(w, "    expected: %s\n", visible(r.Expected))
	}
	if r.Source != "" {
		fmt.Fprintf(w, "    source:   %s\n", visible(text.Cut(r.Source, 400)))
	}
	fmt.Fprintf(w, "    observed: %s\n", strings.ReplaceAll(strings.TrimRight(visible(r.Observed), "\n"), "\n", "\n    "))
	for _, n := range r.Notes {
		fmt.Fprintf(w, "    note:     %s\n", visible(n))
	}
	if c := r.Counterexample; c != nil {
		writeCounterexample(w, r, c)
		return
	}
	if r.Exchange != "" {
		fmt.Fprintln(w, "    exchanges:")
		for _, line := range strings.Split(strings.TrimRight(visible(r.Exchange), "\n"), "\n") {
			fmt.Fprintf(w, "      %s\n", line)
		}
	}
	fmt.Fprintf(w, "    rerun: %s\n\n", r.Rerun)
}

// writeCounterexample prints a property's shrunk failure: the numbered
// steps with their exchanges, the replay script, and the seed and command
// that reproduce it.
func writeCounterexample(w io.Writer, r check.Result, c *check.Counterexample) {
	fmt.Fprintf(w, "    counterexample (%d steps, after %d examples):\n", len(c.Steps), r.Examples)
	for _, st := range c.Steps {
		for _, line := range strings.Split(strings.TrimRight(visible(st), "\n"), "\n") {
			fmt.Fprintf(w, "      %s\n", line)
		}
	}
	if c.Replay != "" {
		fmt.Fprintln(w, "    replay script (aws CLI; principals from the environment):")
		for _, line := range strings.Split(strings.TrimRight(visible(c.Replay), "\n"), "\n") {
			fmt.Fprintf(w, "      %s\n", line)
		}
	}
	fmt.Fprintf(w, "    seed: %s\n    reproduce: %s\n\n", c.Seed, c.Command)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// seedOf says how rep's examples and accounts were seeded: "seed N", or,
// for a fuzz campaign (seed 0), that every round drew its own.
func seedOf(rep *check.Report) string {
	if rep.Seed == 0 {
		return "a new seed every round"
	}
	return fmt.Sprintf("seed %d", rep.Seed)
}
