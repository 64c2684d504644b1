package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/orgconform/orgconform/diff"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
)

// diffUsage is runner diff's one-line usage.
const diffUsage = "usage: runner diff [--seed N] [--account-seed N] [--sequences N] [--steps N] [--timeout D] [--json FILE] A B   (A, B: a URL or reference)"

// referenceName names the embedded reference target as an argument of diff.
const referenceName = "reference"

// diffCmd drives two targets with the same generated sequences (package
// diff) and reports every step where their answers differ, side by side.
// Exit status: 0 they agree, 1 they differ, 2 bad usage or an unreachable
// target.
func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runner diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	seed := fs.Int64("seed", 1, "seed of the sequences")
	accountSeed := fs.Int64("account-seed", 0, "seed of the account ids both targets get (default: random, so that a long-lived target never sees one run's accounts again; the output shows it)")
	sequences := fs.Int("sequences", 12, "how many sequences")
	steps := fs.Int("steps", 14, "steps per sequence")
	timeout := fs.Duration("timeout", endpoint.DefaultTimeout, "deadline of every call to a target")
	jsonPath := fs.String("json", "", "write the differences as JSON to this file (- for stdout; the console then goes to stderr)")
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "runner diff: %s (%s)\n", firstLine(fmt.Sprintf(format, a...)), diffUsage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(stdout, diffUsage, fs)
			return 0
		}
		return bad("%v", err)
	}
	switch {
	case fs.NArg() != 2:
		return bad("want two targets, got %d arguments", fs.NArg())
	case *sequences < 1 || *sequences > 1000:
		return bad("--sequences must be between 1 and 1000, got %d", *sequences)
	case *steps < 1 || *steps > 200:
		return bad("--steps must be between 1 and 200, got %d", *steps)
	case *timeout <= 0:
		return bad("--timeout must be positive, got %s", *timeout)
	}
	if *accountSeed == 0 {
		*accountSeed = randomSeed()
	}
	out, err := newPending("--json", *jsonPath, stdout)
	if err != nil {
		return bad("%v", err)
	}
	defer (&outputs{json: out}).close()
	console := stdout
	if *jsonPath == "-" {
		console = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var tgts [2]*endpoint.Target
	var labels [2]string
	for i, arg := range fs.Args() {
		tgt, label, shutdown, err := diffTarget(ctx, arg, *accountSeed, *timeout)
		if err != nil {
			fmt.Fprintf(stderr, "runner diff: %s: %s\n", arg, firstLine(err.Error()))
			return 2
		}
		defer shutdown()
		tgts[i], labels[i] = tgt, label
	}
	fmt.Fprintf(console, "orgconform diff: A = %s, B = %s; %d sequences of %d steps, seed %d, account seed %d\n", labels[0], labels[1], *sequences, *steps, *seed, *accountSeed)
	start := time.Now()
	res := diff.Run(ctx, tgts[0], tgts[1], diff.Options{Seed: *seed, Sequences: *sequences, Steps: *steps})
	writeDiff(console, res)
	fmt.Fprintf(console, "(%s)\n", time.Since(start).Round(time.Millisecond))
	if err := out.commit(func(w io.Writer) error { return writeDiffJSON(w, res, labels) }); err != nil {
		return bad("%v", err)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(console, "interrupted")
		return 1
	}
	if !res.Agree() {
		return 1
	}
	return 0
}

// randomSeed draws a non-zero seed.
func randomSeed() int64 {
	for {
		if n := rand.Int64(); n != 0 {
			return n
		}
	}
}

// diffTarget builds one side: the embedded reference target on a loopback
// port, or the URL, which must answer within timeout.
func diffTarget(ctx context.Context, arg string, seed int64, timeout time.Duration) (*endpoint.Target, string, func(), error) {
	shutdown, label, url := func() {}, arg, arg
	if arg == referenceName {
		u, stop, err := serveEmbedded(reftarget.Options{})
		if err != nil {
			return nil, "", nil, err
		}
		shutdown, url, label = stop, u, "reference ("+u+")"
	}
	tgt, err := endpoint.New(endpoint.Config{Endpoint: url, Timeout: timeout, Seed: seed})
	if err != nil {
		shutdown()
		return nil, "", nil, err
	}
	if tgt.IsAWS() {
		shutdown()
		return nil, "", nil, errors.New("real AWS: runner diff mints accounts and cannot run there (compare emulators)")
	}
	if err := tgt.Ping(ctx); err != nil {
		shutdown()
		return nil, "", nil, fmt.Errorf("target unreachable: %v", err)
	}
	return tgt, label, shutdown, nil
}

// writeDiff prints every differing step with both answers, then a summary.
func writeDiff(w io.Writer, res *diff.Result) {
	seqs := map[int]bool{}
	for _, d := range res.Differences {
		seqs[d.Sequence] = true
		where := fmt.Sprintf("sequence %d, step %d", d.Sequence, d.Step)
		if d.Step == 0 {
			where = fmt.Sprintf("sequence %d, setup", d.Sequence)
		}
		fmt.Fprintf(w, "%s: %s as %s %s\n  A: %s\n  B: %s\n", where, d.Op, d.Role, d.Request, d.A, d.B)
	}
	if res.Agree() {
		fmt.Fprintf(w, "the targets agree: %d answers compared\n", res.Compared)
		return
	}
	fmt.Fprintf(w, "%d of %d answers differ, in %d of %d sequences\n", len(res.Differences), res.Compared, len(seqs), res.Sequences)
}

// writeDiffJSON writes the result as one JSON document.
func writeDiffJSON(w io.Writer, res *diff.Result, labels [2]string) error {
	doc := struct {
		A string `json:"a"`
		B string `json:"b"`
		*diff.Result
		Agree bool `json:"agree"`
	}{labels[0], labels[1], res, res.Agree()}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
