package contract_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// Execute returns the report for your own rendering (see package report).
func ExampleExecute() {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := contract.Execute(context.Background(), tgt, contract.Options{
		Run:      regexp.MustCompile(`^input/AcceptHandshake/`),
		Parallel: 4,
	})
	s := rep.Summary()
	fmt.Printf("%d checks ran: %d passed, %d failed\n", s.Ran, s.Passed, s.Failed)
	// Output: 21 checks ran: 21 passed, 0 failed
}

// printTB is a testing.TB that prints what Run reports, standing in for a
// benchmark's *testing.B or a rapid.T: with those, a skipped check must not
// end the run, so Run logs it instead of calling Skip.
type printTB struct{ testing.TB }

func (printTB) Helper()                      {}
func (printTB) Name() string                 { return "ExampleRun" }
func (printTB) Errorf(f string, args ...any) { fmt.Printf("error: "+f+"\n", args...) }
func (printTB) Logf(f string, args ...any) {
	line, _, _ := strings.Cut(fmt.Sprintf(f, args...), ":") // the check and its status; the reason follows
	fmt.Println("log:", line)
}
func (printTB) Fatalf(f string, args ...any) { fmt.Printf("fatal: "+f+"\n", args...) }
func (printTB) Skipf(string, ...any) {
	panic("Run must not skip through a testing.TB that is not a *testing.T")
}

// Run reports through a testing.TB; in a test, call it with the test's
// *testing.T and every check becomes a subtest.
func ExampleRun() {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := contract.Run(printTB{}, tgt, contract.Options{
		Run: regexp.MustCompile(`^(protocol/request-id/success|transition/TRANSFER_RESPONSIBILITY/OPEN/AcceptHandshake/recipient)$`),
	})
	fmt.Println(rep.Summary().Passed, "passed")
	// Output:
	// log: transition/TRANSFER_RESPONSIBILITY/OPEN/AcceptHandshake/recipient skip
	// 1 passed
}
