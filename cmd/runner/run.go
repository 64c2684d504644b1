package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/orgconform/orgconform/check"
	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/internal/text"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/report"
	"github.com/orgconform/orgconform/suite"
)

// runFlags are the flags of the default command.
type runFlags struct {
	endpoint         string
	endpointSet      bool
	targetFile       string
	allowLiveAWS     bool
	timeout          time.Duration
	run              string
	jsonPath         string
	junitPath        string
	markdownPath     string
	quiet            bool
	seed             int64
	allowUnsupported bool
	list             bool
	parallel         int
	shard            string
	invitationBudget int
	finalizingWait   time.Duration
	spacing          time.Duration
	fault            string
	propertyFlags
	set map[string]bool // flags given on the command line
}

// defaultParallel suits a network-bound target: several requests in
// flight per CPU.
func defaultParallel() int { return max(8, 4*runtime.NumCPU()) }

// runUsage is the first line of the default command's help.
const runUsage = `usage: runner [flags]               run the conformance checks (against the embedded reference target unless --endpoint or --target-file)
       runner serve [flags]         serve the embedded reference target
       runner faults                list the reference target's faults and equivalent variants (--fault NAME plants one)
       runner diff [flags] A B      run the same generated sequences against two targets and show where they differ
       runner fuzz [flags]          run the properties for --duration (a fuzz campaign)
       runner merge [flags] R.json… combine the JSON reports of a run's shards (--shard K/N) into one verdict
       runner sdk VERSION[,…]       replay the goldens through aws-sdk-go-v2 organizations versions, side by side
       runner help [COMMAND]        this help, or a command's
       runner <command> --help      the flags of a command
exit status: 0 checks ran, at least one passed and none failed; 1 a check failed (or was unsupported
without --allow-unsupported), no check reached a verdict, or the run was interrupted; 2 bad usage or
an unreachable target`

func runFlagSet(f *runFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("runner", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.endpoint, "endpoint", "", "base URL of the target (default: the embedded reference target)")
	fs.StringVar(&f.targetFile, "target-file", "", "JSON target file: endpoint, region and principals by role from named profiles (for real AWS)")
	fs.BoolVar(&f.allowLiveAWS, "allow-live-aws", false, "allow changing real AWS accounts (creates organizations, sends invitations)")
	fs.DurationVar(&f.timeout, "timeout", endpoint.DefaultTimeout, "deadline of every call to the target")
	fs.StringVar(&f.run, "run", "", "run only the checks whose id matches this regular expression")
	fs.StringVar(&f.jsonPath, "json", "", "write the JSON report to this file (- for stdout; the console then goes to stderr)")
	fs.StringVar(&f.junitPath, "junit", "", "write JUnit XML to this file (- for stdout)")
	fs.StringVar(&f.markdownPath, "markdown", "", "write a markdown fidelity summary to this file (- for stdout), e.g. $GITHUB_STEP_SUMMARY")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the capabilities, the failures and the summary")
	fs.Int64Var(&f.seed, "seed", 0, "seed for account ids and the properties' examples (default: random; the report shows it)")
	fs.BoolVar(&f.allowUnsupported, "allow-unsupported", false, "do not count checks the target does not support as failures")
	fs.BoolVar(&f.list, "list", false, "list the check ids (filtered by --run and --shard) and exit")
	fs.IntVar(&f.parallel, "parallel", 0, fmt.Sprintf("checks run at once (default %d; 1 with --target-file, since real AWS throttles)", defaultParallel()))
	fs.StringVar(&f.shard, "shard", "", "run only the K-th of N deterministic slices of the checks, as K/N (for CI build matrices; combine with runner merge)")
	fs.IntVar(&f.invitationBudget, "invitation-budget", -1, "invitations the run may send; checks beyond it are left for the next run (default with a target file for real AWS: the daily quota less what the organization sent in the last 24 hours; -1: no budget)")
	fs.DurationVar(&f.finalizingWait, "finalizing-wait", 5*time.Minute, "with a target file: how long to wait out a new organization that is still finalizing (FinalizingOrganizationException; AWS says up to an hour)")
	fs.StringVar(&f.fault, "fault", "", "plant this fault (or equivalent variant) of runner faults in the embedded reference target")
	addPropertyFlags(fs, &f.propertyFlags, defaultExamples, defaultSteps, defaultPropertyTime, "examples each property tries")
	fs.DurationVar(&f.spacing, "membership-spacing", 2*time.Second, "with a target file for real AWS: the least time between two membership changes (accepting an invitation, removing or leaving), whose rate AWS limits without a documented number")
	return fs
}

// parse parses args with fs (whose flags fill f), records which flags
// were set, and checks what every command that reaches a target shares:
// no stray argument, no empty --endpoint, a positive --timeout.
func (f *runFlags) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	f.endpointSet = f.set["endpoint"]
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case f.endpointSet && strings.TrimSpace(f.endpoint) == "":
		return errors.New("--endpoint is empty (an unset variable?): give a URL, or leave the flag out to run against the embedded reference target")
	case f.timeout <= 0:
		return fmt.Errorf("--timeout must be positive, got %s", f.timeout)
	}
	return nil
}

func parseRunFlags(args []string) (*runFlags, error) {
	f := &runFlags{}
	if err := f.parse(runFlagSet(f), args); err != nil {
		return nil, err
	}
	switch {
	case f.parallel < 0 || (f.set["parallel"] && f.parallel == 0):
		return nil, fmt.Errorf("--parallel must be at least 1, got %d", f.parallel)
	case f.invitationBudget < -1:
		return nil, fmt.Errorf("--invitation-budget must be -1 (none) or more, got %d", f.invitationBudget)
	case f.finalizingWait < 0 || f.spacing < 0:
		return nil, errors.New("--finalizing-wait and --membership-spacing must not be negative")
	case f.fault != "" && (f.endpoint != "" || f.targetFile != ""):
		return nil, errors.New("--fault plants a fault in the embedded reference target: leave out --endpoint and --target-file")
	}
	if f.fault != "" {
		if _, err := faultOptions(f.fault); err != nil {
			return nil, err
		}
	}
	if err := f.propertyFlags.validate(); err != nil {
		return nil, err
	}
	stdout := 0
	for _, p := range []string{f.jsonPath, f.junitPath, f.markdownPath} {
		if p == "-" {
			stdout++
		}
	}
	if stdout > 1 {
		return nil, errors.New("only one of --json, --junit and --markdown may write to stdout (-)")
	}
	return f, nil
}

// printHelp writes a command's usage and flags to w.
func printHelp(w io.Writer, usage string, fs *flag.FlagSet) {
	fmt.Fprintln(w, usage)
	fmt.Fprintln(w, "flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// runCmd runs the conformance checks and reports. Exit status: 0 checks
// ran, at least one passed and none failed; 1 a check failed (or was
// unsupported without --allow-unsupported), no check reached a verdict, or
// the run was interrupted; 2 bad usage, an unreachable target, or a
// selection that matches no check.
func runCmd(args []string, stdout, stderr io.Writer) int {
	f, err := parseRunFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(stdout, runUsage, runFlagSet(&runFlags{}))
		return 0
	}
	if err != nil {
		return usage(stderr, err)
	}
	var re *regexp.Regexp
	if f.run != "" {
		if re, err = regexp.Compile(f.run); err != nil {
			return usage(stderr, fmt.Errorf("--run: %v", err))
		}
	}
	shard, err := parseShard(f.shard)
	if err != nil {
		return usage(stderr, err)
	}
	selected := check.Select(suite.Default(), re, shard)
	if len(selected) == 0 {
		return usage(stderr, fmt.Errorf("no check matches --run %s%s (runner --list shows the ids)", text.ShellQuote(f.run), shardNote(f.shard)))
	}
	if f.list {
		for _, c := range selected {
			fmt.Fprintln(stdout, c.ID)
		}
		return 0
	}
	outputs, err := openOutputs(f, stdout)
	if err != nil {
		return usage(stderr, err)
	}
	defer outputs.close()
	if err := prepareFailures(f.failures); err != nil {
		return usage(stderr, err)
	}
	console := stdout
	if outputs.usesStdout() {
		console = stderr
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tgt, label, fixed, shutdown, err := reach(ctx, f)
	if err != nil {
		return usage(stderr, err)
	}
	defer shutdown()
	if err := f.configure(tgt.Seed(), shard); err != nil {
		return usage(stderr, err)
	}

	parallel := f.parallel
	if parallel == 0 {
		parallel = defaultParallel()
		if fixed != nil {
			parallel = 1
		}
	}
	fmt.Fprintf(console, "orgconform: running %s against %s (seed %d, %d at a time)\n", text.Count(len(selected), "check"), label, tgt.Seed(), parallel)
	opts := contract.Options{Checks: suite.Default(), Run: re, Shard: shard, Parallel: parallel, Rerun: rerunHint(f), Fixed: fixed}
	if fixed != nil {
		warnUnservable(console, selected, fixed)
		if err := liveProfile(ctx, console, f, tgt, fixed, selected, &opts); err != nil {
			return usage(stderr, err)
		}
	}
	if !f.quiet {
		opts.Progress = console
	}
	rep := contract.Execute(ctx, tgt, opts)
	rep.Target = label
	ropts := report.Options{AllowUnsupported: f.allowUnsupported, Quiet: f.quiet}
	fmt.Fprintln(console)
	report.WriteConsole(console, rep, ropts)
	if err := outputs.write(rep, ropts); err != nil {
		return usage(stderr, err)
	}
	if err := writeFailures(f.failures, rep); err != nil {
		return usage(stderr, err)
	}
	if !report.Passed(rep, ropts) {
		return 1
	}
	return 0
}

// warnUnservable says, before the run, which checks a target file cannot
// serve: they are skipped with that reason.
func warnUnservable(w io.Writer, selected []check.Check, fixed []endpoint.Principal) {
	counts := map[string]int{}
	for _, c := range selected {
		if why := check.CannotServe(c.Needs.Principals, fixed); why != "" {
			counts[why]++
		}
	}
	for _, why := range sortedKeys(counts) {
		fmt.Fprintf(w, "the target file cannot serve %s (%s); they are skipped\n", text.Count(counts[why], "check"), why)
	}
}

// parseShard reads --shard K/N.
func parseShard(s string) (check.Shard, error) {
	if s == "" {
		return check.Shard{}, nil
	}
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return check.Shard{}, fmt.Errorf("--shard %q: want K/N with 1 <= K <= N, e.g. 2/4", s)
	}
	return check.Shard{K: k, N: n}, nil
}

func shardNote(s string) string {
	if s == "" {
		return ""
	}
	return " in shard " + s
}

func usage(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "runner: %s\n", firstLine(err.Error()))
	return 2
}

// invocation is how the user ran this program, for hints that rerun it:
// "go run ./cmd/runner" when go run built it, else the command's name as
// typed (its base name when that is what PATH finds).
func invocation() string {
	exe := os.Args[0]
	if strings.Contains(exe, string(os.PathSeparator)+"go-build") {
		return "go run ./cmd/runner"
	}
	base := exe[strings.LastIndex(exe, string(os.PathSeparator))+1:]
	if p, err := lookPath(base); err == nil && sameExecutable(p, exe) {
		return base
	}
	return exe
}

// rerunHint is the command that reruns one check against the same target
// with the same settings.
func rerunHint(f *runFlags) func(pattern string) string {
	args := []string{invocation()}
	if f.targetFile != "" {
		args = append(args, "--target-file", text.ShellQuote(f.targetFile))
	}
	if f.endpoint != "" {
		args = append(args, "--endpoint", text.ShellQuote(f.endpoint))
	}
	if f.allowLiveAWS {
		args = append(args, "--allow-live-aws")
	}
	if f.timeout != endpoint.DefaultTimeout {
		args = append(args, "--timeout", f.timeout.String())
	}
	if f.allowUnsupported {
		args = append(args, "--allow-unsupported")
	}
	if f.fault != "" {
		args = append(args, "--fault", text.ShellQuote(f.fault))
	}
	if f.seed != 0 {
		args = append(args, "--seed", fmt.Sprint(f.seed))
	}
	if f.set["steps"] {
		args = append(args, "--steps", fmt.Sprint(f.steps)) // a property's draws depend on it
	}
	prefix := strings.Join(args, " ")
	return func(pattern string) string { return prefix + " --run " + pattern }
}

// reach builds the target: the embedded reference target on a loopback port
// when no endpoint is given, else the endpoint (or target file), which must
// answer within the timeout. fixed are the target file's principals.
func reach(ctx context.Context, f *runFlags) (tgt *endpoint.Target, label string, fixed []endpoint.Principal, shutdown func(), err error) {
	cfg := endpoint.Config{Endpoint: f.endpoint, Timeout: f.timeout, Seed: f.seed}
	if f.targetFile != "" {
		file, err := endpoint.LoadFile(f.targetFile)
		if err != nil {
			return nil, "", nil, nil, err
		}
		if err := checkRoles(file); err != nil {
			return nil, "", nil, nil, err
		}
		if fixed, err = file.Resolve(); err != nil {
			return nil, "", nil, nil, err
		}
		for i, p := range fixed {
			if p.Role == legacyOtherManagement {
				fixed[i].Role = "management"
			}
		}
		if f.endpoint == "" {
			cfg.Endpoint = file.Endpoint
		}
		cfg.Region = file.Region
	}
	shutdown = func() {}
	label = cfg.Endpoint
	if cfg.Endpoint == "" {
		opts := reftarget.Options{}
		if f.fault != "" {
			opts, _ = faultOptions(f.fault) // checked with the flags
		}
		url, stop, err := serveEmbedded(opts)
		if err != nil {
			return nil, "", nil, nil, err
		}
		cfg.Endpoint, shutdown, label = url, stop, "embedded reference target ("+url+")"
		if f.fault != "" {
			label = "embedded reference target with fault " + f.fault + " (" + url + ")"
		}
	}
	tgt, err = endpoint.New(cfg)
	if err != nil {
		shutdown()
		return nil, "", nil, nil, err
	}
	if tgt.IsAWS() {
		switch {
		case fixed == nil:
			shutdown()
			return nil, "", nil, nil, fmt.Errorf("%s is real AWS: give --target-file with principals from named profiles", cfg.Endpoint)
		case !f.allowLiveAWS:
			shutdown()
			return nil, "", nil, nil, fmt.Errorf("%s is real AWS: the checks create organizations and send invitations; add --allow-live-aws to let them", cfg.Endpoint)
		}
	}
	if fixed != nil {
		tgt.SetPrincipals(fixed)
	}
	if err := tgt.Ping(ctx); err != nil {
		shutdown()
		return nil, "", nil, nil, fmt.Errorf("target unreachable: %v", err)
	}
	return tgt, label, fixed, shutdown, nil
}

// legacyOtherManagement is the role name earlier target files gave a
// second management account; it counts as one.
const legacyOtherManagement = "other-management"

// checkRoles refuses roles the scenarios do not know, so that a misspelt
// role is an error rather than an account never used.
func checkRoles(f *endpoint.File) error {
	known := append(contract.Roles(), legacyOtherManagement)
	var unknown []string
	for r := range f.Principals {
		if !slices.Contains(known, r) {
			unknown = append(unknown, r)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		return fmt.Errorf("target file: unknown principal role(s) %s (roles: %s)", strings.Join(unknown, ", "), strings.Join(contract.Roles(), ", "))
	}
	return nil
}

// serveEmbedded serves the reference target with opts on a free loopback
// port.
func serveEmbedded(opts reftarget.Options) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start the embedded reference target: %w", err)
	}
	srv := reftarget.NewHTTPServer(reftarget.New(opts))
	go srv.Serve(ln)
	// The run is over when stop is called: close at once rather than wait
	// for connections the client dialed but never used (Shutdown waits 5 s
	// for those).
	stop := func() { _ = srv.Close() }
	return "http://" + ln.Addr().String(), stop, nil
}

// firstLine is the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
