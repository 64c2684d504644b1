package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/fixture"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/report"
	"github.com/orgconform/orgconform/suite"
)

// The benchmarks of README.md's figures. Each figure is a ratio to a
// baseline measured in the same run, since absolute rates follow the
// machine's load:
//
//	go test -run '^$' -bench 'Sequence|DefaultRun' ./cmd/runner/
//	go test -run '^$' -bench SlowTarget -benchtime 1x ./cmd/runner/
//
// Workers is how many goroutines send at once, in the baseline and in the
// harness alike: 1 (one request at a time, as a Python loop sends them)
// and the runner's default parallelism.

// sequenceSteps is the handshake sequence every "sequence" benchmark
// sends per iteration, as scripts/boto3_sequence.py does: an invitation
// accepted (and the account leaving again), one declined, one canceled.
const sequenceSteps = 7

// sequenceRates are the requests per second measured so far in this
// benchmark run, by sub-benchmark name, for the ratios.
var (
	sequenceMu    sync.Mutex
	sequenceRates = map[string]float64{}
)

func recordRate(name string, rps float64) {
	sequenceMu.Lock()
	defer sequenceMu.Unlock()
	sequenceRates[name] = rps
}

func rateOf(name string) float64 {
	sequenceMu.Lock()
	defer sequenceMu.Unlock()
	return sequenceRates[name]
}

// BenchmarkSequence compares request rates over loopback:
//
//   - nethttp: a bare net/http server answering a fixed awsJson1_1 body to
//     a plain net/http client (the baseline: nothing can be faster);
//   - harness: the handshake sequence sent through the check runtime
//     (SigV4 signing, answer classification, evidence, error observation)
//     to the embedded reference target, reported as a ratio to nethttp
//     (goal: at least 0.5);
//   - boto3: the same sequence driven by boto3 in a Python loop
//     (scripts/boto3_sequence.py) against the same kind of server, one
//     request at a time, reported as the harness's rate over boto3's
//     (goal: at least 20).
//
// The first two run with 1 worker and with the default parallelism.
func BenchmarkSequence(b *testing.B) {
	for _, workers := range []int{1, defaultParallel()} {
		base := fmt.Sprintf("nethttp/workers=%d", workers)
		b.Run(base, func(b *testing.B) {
			recordRate(base, benchNetHTTP(b, workers, sequenceSteps))
		})
		plain := fmt.Sprintf("reftarget-plain-client/workers=%d", workers)
		b.Run(plain, func(b *testing.B) {
			rps := benchPlainSequence(b, workers)
			if r := rateOf(base); r > 0 {
				b.ReportMetric(rps/r, "ratio-vs-nethttp")
			}
		})
		name := fmt.Sprintf("harness/workers=%d", workers)
		b.Run(name, func(b *testing.B) {
			rps := benchHarness(b, workers)
			recordRate(name, rps)
			if r := rateOf(base); r > 0 {
				b.ReportMetric(rps/r, "ratio-vs-nethttp")
			}
		})
	}
	b.Run("boto3", func(b *testing.B) {
		rps := benchBoto3(b)
		for _, workers := range []int{1, defaultParallel()} {
			if h := rateOf(fmt.Sprintf("harness/workers=%d", workers)); h > 0 {
				b.ReportMetric(h/rps, fmt.Sprintf("harness-%d-per-boto3", workers))
			}
		}
	})
}

// benchNetHTTP sends b.N*perOp requests from workers goroutines to a bare
// net/http server and returns the rate.
func benchNetHTTP(b *testing.B, workers, perOp int) float64 {
	body := []byte(`{"Handshake":{"Id":"h-abcdefghij","State":"ACCEPTED","Action":"INVITE"}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	in := []byte(`{"HandshakeId":"h-abcdefghij"}`)
	send := func() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(in))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.AcceptHandshake")
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ResetTimer()
	start := time.Now()
	runSplit(b.N*perOp, workers, func(int) { send() })
	return reportRate(b, b.N*perOp, time.Since(start))
}

// runSplit runs fn(i) for i in [0, n), workers at a time.
func runSplit(n, workers int, fn func(int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func reportRate(b *testing.B, requests int, d time.Duration) float64 {
	rps := float64(requests) / d.Seconds()
	b.ReportMetric(rps, "req/s")
	return rps
}

// benchPlainSequence sends the sequence b.N times to the embedded
// reference target with a plain net/http client (an Authorization header
// naming the account, unsigned: the reference target reads the account
// from it and checks no signature), each worker with accounts of its own:
// the part of the harness's rate that is the reference target's.
func benchPlainSequence(b *testing.B, workers int) float64 {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	call := func(account, op, body string) []byte {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+op)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+account+"/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d %s", op, resp.StatusCode, out)
		}
		return out
	}
	id := func(out []byte) string {
		var h struct{ Handshake struct{ Id string } }
		_ = json.Unmarshal(out, &h)
		return h.Handshake.Id
	}
	accounts := func(w int) (string, string, string, string) {
		return fmt.Sprintf("3%02d000000001", w), fmt.Sprintf("3%02d000000002", w), fmt.Sprintf("3%02d000000003", w), fmt.Sprintf("3%02d000000004", w)
	}
	for w := range workers {
		mgmt, _, _, _ := accounts(w)
		call(mgmt, "CreateOrganization", `{"FeatureSet":"ALL"}`)
	}
	per := make([]int, workers)
	for i := range b.N {
		per[i%workers]++
	}
	b.ResetTimer()
	start := time.Now()
	runSplit(workers, workers, func(w int) {
		mgmt, a, bb, c := accounts(w)
		invite := func(p string) string {
			return id(call(mgmt, "InviteAccountToOrganization", `{"Target":{"Type":"ACCOUNT","Id":"`+p+`"}}`))
		}
		for range per[w] {
			call(a, "AcceptHandshake", `{"HandshakeId":"`+invite(a)+`"}`)
			call(a, "LeaveOrganization", `{}`)
			call(bb, "DeclineHandshake", `{"HandshakeId":"`+invite(bb)+`"}`)
			call(mgmt, "CancelHandshake", `{"HandshakeId":"`+invite(c)+`"}`)
		}
	})
	return reportRate(b, b.N*sequenceSteps, time.Since(start))
}

// benchHarness sends the sequence b.N times through the check runtime:
// workers checks, each with accounts of its own, share the iterations.
func benchHarness(b *testing.B, workers int) float64 {
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	per := make([]int, workers)
	for i := range b.N {
		per[i%workers]++
	}
	ready := make(chan struct{})
	var startOnce sync.Once
	var start time.Time
	var setup sync.WaitGroup
	setup.Add(workers)
	checks := make([]check.Check, workers)
	for w := range workers {
		checks[w] = check.Check{ID: fmt.Sprintf("bench/sequence/%d", w), Group: "bench", Operation: "AcceptHandshake",
			Run: func(t *check.T) {
				mgmt, a, bb, c := t.Principal(fixture.Management), t.Principal(fixture.Recipient), t.Principal(fixture.Member), t.Principal(fixture.Outsider)
				t.Require(t.Call(mgmt, "CreateOrganization", map[string]string{"FeatureSet": "ALL"}), "CreateOrganization")
				setup.Done()
				<-ready
				startOnce.Do(func() { start = time.Now() })
				for range per[w] {
					sequence(t, mgmt, a, bb, c)
				}
			}}
	}
	b.ResetTimer()
	go func() { setup.Wait(); close(ready) }()
	rep := check.Execute(context.Background(), tgt, checks, check.Options{Parallel: workers})
	elapsed := time.Since(start)
	for _, r := range rep.Results {
		if r.Status != check.Pass {
			b.Fatalf("%s: %s %s", r.ID, r.Status, r.Observed)
		}
	}
	return reportRate(b, b.N*sequenceSteps, elapsed)
}

// sequence is scripts/boto3_sequence.py's loop body through the harness.
func sequence(t *check.T, mgmt, a, b, c endpoint.Principal) {
	invite := func(p endpoint.Principal) string {
		r := t.Require(t.Call(mgmt, "InviteAccountToOrganization", map[string]any{"Target": map[string]string{"Type": "ACCOUNT", "Id": p.AccountID}}), "invite")
		return t.Handshake(r).Id
	}
	act := func(p endpoint.Principal, op, id, state string) {
		r := t.Require(t.Call(p, op, map[string]string{"HandshakeId": id}), op)
		if got := t.Handshake(r).State; got != state {
			t.Failf(r, op+" answers "+state, "%s", got)
		}
	}
	act(a, "AcceptHandshake", invite(a), "ACCEPTED")
	t.Require(t.Call(a, "LeaveOrganization", nil), "LeaveOrganization")
	act(b, "DeclineHandshake", invite(b), "DECLINED")
	act(mgmt, "CancelHandshake", invite(c), "CANCELED")
}

// benchBoto3 runs scripts/boto3_sequence.py for b.N iterations against
// the embedded reference target and returns the loop's rate (its own
// timing: Python's start-up and client creation are not counted).
func benchBoto3(b *testing.B) float64 {
	py, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("python3 not on PATH")
	}
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		b.Skipf("boto3: %v %s", err, out)
	}
	srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
	defer srv.Close()
	dir := b.TempDir()
	cmd := exec.Command(py, filepath.Join("..", "..", "scripts", "boto3_sequence.py"), srv.URL, fmt.Sprint(b.N))
	cmd.Env = append(serveCleanEnv(), "AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"), "AWS_EC2_METADATA_DISABLED=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("boto3_sequence.py: %v\n%s", err, stderr.String())
	}
	var out struct {
		Requests int
		Seconds  float64
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || out.Requests != b.N*sequenceSteps {
		b.Fatalf("boto3_sequence.py said %q (%v)", stdout.String(), err)
	}
	return reportRate(b, out.Requests, time.Duration(out.Seconds*float64(time.Second)))
}

// BenchmarkDefaultRun is the default run against the embedded reference
// target at the default parallelism: its wall time (ns/op), and per run
// the requests, the checks and the property examples (from the JSON
// report, so that properties count once they are in the default run). Its
// request rate is reported as a ratio to the bare net/http baseline at the
// same parallelism, measured first in the same run.
func BenchmarkDefaultRun(b *testing.B) {
	workers := defaultParallel()
	base := fmt.Sprintf("nethttp/workers=%d", workers)
	// As many requests per iteration as a run sends, about.
	b.Run(base, func(b *testing.B) { recordRate(base, benchNetHTTP(b, workers, 2000)) })
	b.Run("run", func(b *testing.B) {
		var requests, checks, examples int
		var spent time.Duration
		for b.Loop() {
			srv := httptest.NewServer(reftarget.New(reftarget.Options{}))
			tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			rep := contract.Execute(context.Background(), tgt, contract.Options{Checks: suite.Default(), Parallel: workers})
			spent += time.Since(start)
			srv.Close()
			if s := rep.Summary(); s.Failed > 0 {
				b.Fatalf("%d checks failed against the reference target", s.Failed)
			}
			requests, checks, examples = rep.Requests, len(rep.Results), propertyExamples(b, rep)
		}
		b.ReportMetric(float64(requests), "requests/run")
		b.ReportMetric(float64(checks), "checks/run")
		b.ReportMetric(float64(examples), "examples/run")
		rps := float64(requests*b.N) / spent.Seconds()
		b.ReportMetric(rps, "req/s")
		if r := rateOf(base); r > 0 {
			b.ReportMetric(rps/r, "ratio-vs-nethttp")
		}
	})
}

// propertyExamples sums the examples the report's checks tried.
func propertyExamples(b *testing.B, rep *check.Report) int {
	data, err := report.JSON(rep)
	if err != nil {
		b.Fatal(err)
	}
	var out struct {
		Checks []struct {
			Examples int `json:"examples"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, c := range out.Checks {
		n += c.Examples
	}
	return n
}

// BenchmarkSlowTarget is the default run against the reference target
// answering 40 ms late, serially and at the default parallelism; the
// parallel one reports its speed-up over the serial one. A serial run
// takes over a minute: run it with -benchtime 1x.
func BenchmarkSlowTarget(b *testing.B) {
	var serial time.Duration
	for _, workers := range []int{1, defaultParallel()} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var d time.Duration
			var requests int
			for b.Loop() {
				srv := httptest.NewServer(reftarget.New(reftarget.Options{Latency: slowLatency}))
				tgt, err := endpoint.New(endpoint.Config{Endpoint: srv.URL, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				rep := contract.Execute(context.Background(), tgt, contract.Options{Checks: suite.Default(), Parallel: workers})
				d += time.Since(start)
				requests = rep.Requests
				srv.Close()
			}
			per := d / time.Duration(b.N)
			b.ReportMetric(per.Seconds(), "s/run")
			b.ReportMetric(float64(requests), "requests/run")
			if workers == 1 {
				serial = per
			} else if serial > 0 {
				b.ReportMetric(serial.Seconds()/per.Seconds(), "speedup-vs-serial")
			}
		})
	}
}
