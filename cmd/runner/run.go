package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/orgconform/orgconform/internal/text"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/orgconform/orgconform/contract"
	"github.com/orgconform/orgconform/endpoint"
	"github.com/orgconform/orgconform/reftarget"
	"github.com/orgconform/orgconform/report"
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
	fs.DurationVar(&f.timeout, "timeout", endpoint.DefaultTimeout, "deadline of every call to the target")
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
	fmt.Fprintf(stderr, "runner: %s\n", firstLine(err.Error()))
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

// rerunPrefix is the command that reruns one check against the same target
// with the same settings.
func rerunPrefix(f *runFlags) string {
	args := []string{"go", "run", "./cmd/runner"}
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
	if f.seed != 0 {
		args = append(args, "--seed", fmt.Sprint(f.seed))
	}
	return strings.Join(args, " ")
}

// reach builds the target: the embedded reference target on a loopback port
// when no endpoint is given, else the endpoint (or target file), which must
// answer within the timeout.
func reach(ctx context.Context, f *runFlags) (*endpoint.Target, string, func(), error) {
	cfg := endpoint.Config{Endpoint: f.endpoint, Timeout: f.timeout, Seed: f.seed}
	var principals map[string]endpoint.Principal
	if f.targetFile != "" {
		file, err := endpoint.LoadFile(f.targetFile)
		if err != nil {
			return nil, "", nil, err
		}
		if err := checkRoles(file); err != nil {
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
	tgt, err := endpoint.New(cfg)
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

// checkRoles requires a principal for every role the scenarios use, and no
// other: a missing or misspelt role would otherwise be minted with fake
// credentials.
func checkRoles(f *endpoint.File) error {
	want := contract.Roles()
	var missing, unknown []string
	for _, r := range want {
		if _, ok := f.Principals[r]; !ok {
			missing = append(missing, r)
		}
	}
	for r := range f.Principals {
		if !slices.Contains(want, r) {
			unknown = append(unknown, r)
		}
	}
	sort.Strings(unknown)
	switch {
	case len(unknown) > 0:
		return fmt.Errorf("target file: unknown principal role(s) %s (roles: %s)", strings.Join(unknown, ", "), strings.Join(want, ", "))
	case len(missing) > 0:
		return fmt.Errorf("target file: no principal for role(s) %s (roles: %s)", strings.Join(missing, ", "), strings.Join(want, ", "))
	}
	return nil
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

// outputs are the report files. A regular file (or a new one) is first
// created as a temporary file beside its destination, so that an
// unwritable path is a usage error before the run, and renamed into place
// after it: a failed or refused run never truncates an earlier report. A
// symlink is followed to its file; anything else (/dev/stdout, a pipe) is
// opened up front and written directly.
type outputs struct {
	json, junit *pending
}

type pending struct {
	tmp    *os.File // temporary file to rename, or
	direct *os.File // a non-regular destination written in place
	dest   string
}

func openOutputs(f *runFlags) (*outputs, error) {
	if f.jsonPath != "" && f.junitPath != "" && sameFile(f.jsonPath, f.junitPath) {
		return nil, fmt.Errorf("--json and --junit name the same file %s", f.jsonPath)
	}
	o := &outputs{}
	var err error
	if o.json, err = newPending("--json", f.jsonPath); err != nil {
		return nil, err
	}
	if o.junit, err = newPending("--junit", f.junitPath); err != nil {
		o.close()
		return nil, err
	}
	return o, nil
}

func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// reportMode is the permission of a new report file (before umask).
const reportMode = 0o644

func newPending(flagName, dest string) (*pending, error) {
	if dest == "" {
		return nil, nil
	}
	if resolved, err := filepath.EvalSymlinks(dest); err == nil {
		dest = resolved
	}
	mode := os.FileMode(reportMode)
	if fi, err := os.Stat(dest); err == nil {
		switch {
		case fi.IsDir():
			return nil, fmt.Errorf("%s: %s is a directory", flagName, dest)
		case !fi.Mode().IsRegular():
			f, err := os.OpenFile(dest, os.O_WRONLY, 0)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", flagName, err)
			}
			return &pending{direct: f, dest: dest}, nil
		}
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot write beside %s: %v", flagName, dest, err)
	}
	if err := tmp.Chmod(mode &^ umask()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("%s: %v", flagName, err)
	}
	return &pending{tmp: tmp, dest: dest}, nil
}

// umask returns the process umask (read by setting and restoring it).
func umask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}

// commit writes the report with write and moves it into place.
func (p *pending) commit(flagName string, write func(io.Writer) error) error {
	if p == nil {
		return nil
	}
	if p.direct != nil {
		err := write(p.direct)
		if cerr := p.direct.Close(); err == nil {
			err = cerr
		}
		p.direct = nil
		if err != nil {
			return fmt.Errorf("%s: %v", flagName, err)
		}
		return nil
	}
	err := write(p.tmp)
	if cerr := p.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.tmp.Name(), p.dest)
	}
	if err != nil {
		os.Remove(p.tmp.Name())
		return fmt.Errorf("%s: %v", flagName, err)
	}
	p.tmp = nil
	return nil
}

func (o *outputs) write(rep *contract.Report, opts report.Options) error {
	if err := o.json.commit("--json", func(w io.Writer) error { return report.WriteJSON(w, rep) }); err != nil {
		return err
	}
	return o.junit.commit("--junit", func(w io.Writer) error { return report.WriteJUnit(w, rep, opts) })
}

// close removes temporary files that were never committed.
func (o *outputs) close() {
	for _, p := range []*pending{o.json, o.junit} {
		switch {
		case p == nil:
		case p.tmp != nil:
			p.tmp.Close()
			os.Remove(p.tmp.Name())
		case p.direct != nil:
			p.direct.Close()
		}
	}
}

// firstLine is the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
