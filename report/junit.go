package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/orgconform/orgconform/check"
)

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Tests   int          `xml:"tests,attr"`
	Fail    int          `xml:"failures,attr"`
	Errors  int          `xml:"errors,attr"`
	Skipped int          `xml:"skipped,attr"`
	Time    string       `xml:"time,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name    string      `xml:"name,attr"`
	Tests   int         `xml:"tests,attr"`
	Fail    int         `xml:"failures,attr"`
	Errors  int         `xml:"errors,attr"`
	Skipped int         `xml:"skipped,attr"`
	Time    string      `xml:"time,attr"`
	Cases   []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes rep as JUnit XML: one testsuite per check group, one
// testcase per check. Unsupported checks are failures unless allowed;
// checks an interrupted run did not finish are errors (type "not-run"), so
// an interrupted run never reads as a pass.
func WriteJUnit(w io.Writer, rep *check.Report, opts Options) error {
	all := junitSuites{Name: "orgconform " + rep.Target, Time: seconds(rep.Duration.Seconds())}
	index := map[string]int{}
	for _, r := range rep.Results {
		i, ok := index[r.Group]
		if !ok {
			i = len(all.Suites)
			index[r.Group] = i
			all.Suites = append(all.Suites, junitSuite{Name: r.Group})
		}
		s := &all.Suites[i]
		c := junitCase{Name: r.ID, ClassName: "orgconform." + r.Group, Time: seconds(r.Duration.Seconds())}
		evidence := r.Exchange
		if c := r.Counterexample; c != nil {
			evidence = fmt.Sprintf("counterexample (seed %s; reproduce: %s):\n%s\n\nreplay script:\n%s", c.Seed, c.Command, strings.Join(c.Steps, "\n"), c.Replay)
		}
		detail := fmt.Sprintf("operation: %s\nexpected: %s\nsource: %s\nobserved: %s\nrerun: %s\n\n%s", r.Operation, r.Expected, r.Source, r.Observed, r.Rerun, evidence)
		switch {
		case r.Status == check.Fail:
			c.Failure = &junitMessage{Message: r.Observed, Type: "fail", Text: detail}
		case r.Status == check.Unsupported && !opts.AllowUnsupported:
			c.Failure = &junitMessage{Message: r.Observed, Type: "unsupported", Text: detail}
		case r.Status == check.NotRun:
			c.Error = &junitMessage{Message: r.Observed, Type: "not-run"}
		case r.Status == check.Skip || r.Status == check.Unsupported:
			c.Skipped = &junitMessage{Message: r.Observed}
		}
		s.Tests++
		all.Tests++
		if c.Failure != nil {
			s.Fail++
			all.Fail++
		}
		if c.Error != nil {
			s.Errors++
			all.Errors++
		}
		if c.Skipped != nil {
			s.Skipped++
			all.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}
	for i := range all.Suites {
		var total float64
		for _, r := range rep.Results {
			if r.Group == all.Suites[i].Name {
				total += r.Duration.Seconds()
			}
		}
		all.Suites[i].Time = seconds(total)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("report: encode JUnit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
