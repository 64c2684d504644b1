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
	"syscall"
	"time"

	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/report"
	"github.com/orgconform/orgconform/target"
)

// runFlags are the flags of the default command.
type runFlags struct {
	endpoint         string
	targetFile       string
	allowLiveAWS     bool
	timeout          time.Duration
	run              string
	jsonPath         string
	junitPath        string
	seed             int64
	allowUnsupported bool
	list             bool
}

func parseRunFlags(args []string, stderr io.Writer) (*runFlags, error) {
	f := &runFlags{}
	fs := flag.NewFlagSet("runner", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.endpoint, "endpoint", "", "base URL of the target (default: the embedded reference target)")
	fs.StringVar(&f.targetFile, "target-file", "", "JSON target file: endpoint, region and principals from named profiles (for real AWS)")
	fs.BoolVar(&f.allowLiveAWS, "allow-live-aws", false, "allow changing real AWS accounts (creates organizations, sends invitations)")
	fs.DurationVar(&f.timeout, "timeout", target.DefaultTimeout, "deadline of every call to the target")
	fs.StringVar(&f.run, "run", "", "run only the checks whose id matches this regular expression")
	fs.StringVar(&f.jsonPath, "json", "", "write the JSON report to this file")
	fs.StringVar(&f.junitPath, "junit", "", "write JUnit XML to this file")
	fs.Int64Var(&f.seed, "seed", 0, "seed for account ids (default: random; the report shows it)")
	fs.BoolVar(&f.allowUnsupported, "allow-unsupported", false, "do not count checks the target does not support as failures")
	fs.BoolVar(&f.list, "list", false, "list the check ids and exit")
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: runner [flags]        run the contract checks\n       runner serve [flags]  serve the embedded reference target\nflags:")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.timeout <= 0 {
		return nil, fmt.Errorf("--timeout must be positive, got %s", f.timeout)
	}
	return f, nil
}

// runCmd runs the contract checks and reports; see the package comment for
// the exit status.
func runCmd(args []string, stdout, stderr io.Writer) int {
	f, err := parseRunFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
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
	if f.list {
		for _, c := range contract.Checks() {
			if re == nil || re.MatchString(c.ID) {
				fmt.Fprintln(stdout, c.ID)
			}
		}
		return 0
	}
	outputs, err := openOutputs(f)
	if err != nil {
		return usage(stderr, err)
	}
	defer outputs.close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tgt, label, shutdown, err := reach(ctx, f)
	if err != nil {
		return usage(stderr, err)
	}
	defer shutdown()

	fmt.Fprintf(stdout, "orgconform: running %s against %s (seed %d)\n", countChecks(re), label, tgt.Seed())
	rep := contract.Execute(ctx, tgt, contract.Options{Run: re, Progress: stdout, Rerun: rerunPrefix(f)})
	rep.Target = label
	opts := report.Options{AllowUnsupported: f.allowUnsupported}
	fmt.Fprintln(stdout)
	report.WriteConsole(stdout, rep, opts)
	if err := outputs.write(rep, opts); err != nil {
		return usage(stderr, err)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "runner: interrupted; checks not run are reported as skipped")
		return 1
	}
	if !report.Passed(rep, opts) {
		return 1
	}
	return 0
}

func usage(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "runner: %s\n", oneLine(err.Error()))
	return 2
}

func countChecks(re *regexp.Regexp) string {
	n := 0
	for _, c := range contract.Checks() {
		if re == nil || re.MatchString(c.ID) {
			n++
		}
	}
	return fmt.Sprintf("%d checks", n)
}

// rerunPrefix is the command that reruns one check against the same target.
func rerunPrefix(f *runFlags) string {
	cmd := "go run ./cmd/runner"
	switch {
	case f.targetFile != "":
		cmd += " --target-file " + f.targetFile
	case f.endpoint != "":
		cmd += " --endpoint " + f.endpoint
	}
	if f.seed != 0 {
		cmd += fmt.Sprintf(" --seed %d", f.seed)
	}
	return cmd
}

// reach builds the target: the embedded reference target on a loopback port
// when no endpoint is given, else the endpoint (or target file), which must
// answer within the timeout.
func reach(ctx context.Context, f *runFlags) (*target.Target, string, func(), error) {
	cfg := target.Config{Endpoint: f.endpoint, Timeout: f.timeout, Seed: f.seed}
	var principals map[string]target.Principal
	if f.targetFile != "" {
		file, err := target.LoadFile(f.targetFile)
		if err != nil {
			return nil, "", nil, err
		}
		if principals, err = file.Resolve(); err != nil {
			return nil, "", nil, err
		}
		if f.endpoint == "" {
			cfg.Endpoint = file.Endpoint
		}
		cfg.Region = file.Region
	}
	shutdown := func() {}
	label := cfg.Endpoint
	if cfg.Endpoint == "" {
		url, stop, err := serveEmbedded()
		if err != nil {
			return nil, "", nil, err
		}
		cfg.Endpoint, shutdown, label = url, stop, "embedded reference target ("+url+")"
	}
	tgt, err := target.New(cfg)
	if err != nil {
		shutdown()
		return nil, "", nil, err
	}
	if tgt.IsAWS() {
		switch {
		case principals == nil:
			shutdown()
			return nil, "", nil, fmt.Errorf("%s is real AWS: give --target-file with principals from named profiles", cfg.Endpoint)
		case !f.allowLiveAWS:
			shutdown()
			return nil, "", nil, fmt.Errorf("%s is real AWS: the checks create organizations and send invitations; add --allow-live-aws to let them", cfg.Endpoint)
		}
	}
	if principals != nil {
		tgt.SetPrincipals(principals)
	}
	if err := tgt.Ping(ctx); err != nil {
		shutdown()
		return nil, "", nil, fmt.Errorf("target unreachable: %v", err)
	}
	return tgt, label, shutdown, nil
}

// serveEmbedded serves the reference target on a free loopback port.
func serveEmbedded() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start the embedded reference target: %w", err)
	}
	srv := reftarget.NewHTTPServer(reftarget.New(reftarget.Options{}))
	go srv.Serve(ln)
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// outputs are the report files, created before the run so that an
// unwritable path is a usage error, not a lost report.
type outputs struct {
	json, junit *os.File
}

func openOutputs(f *runFlags) (*outputs, error) {
	o := &outputs{}
	var err error
	if f.jsonPath != "" {
		if o.json, err = os.Create(f.jsonPath); err != nil {
			return nil, fmt.Errorf("--json: %v", err)
		}
	}
	if f.junitPath != "" {
		if o.junit, err = os.Create(f.junitPath); err != nil {
			o.close()
			return nil, fmt.Errorf("--junit: %v", err)
		}
	}
	return o, nil
}

func (o *outputs) write(rep *contract.Report, opts report.Options) error {
	if o.json != nil {
		if err := report.WriteJSON(o.json, rep); err != nil {
			return fmt.Errorf("--json: %v", err)
		}
	}
	if o.junit != nil {
		if err := report.WriteJUnit(o.junit, rep, opts); err != nil {
			return fmt.Errorf("--junit: %v", err)
		}
	}
	return nil
}

func (o *outputs) close() {
	for _, f := range []*os.File{o.json, o.junit} {
		if f != nil {
			f.Close()
		}
	}
}

func oneLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
