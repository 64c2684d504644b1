package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/orgconform/orgconform/reftarget"
)

// shutdownGrace is how long serve waits for in-flight requests on SIGINT/SIGTERM.
const shutdownGrace = 5 * time.Second

// accountConvention describes how the reference target picks the caller's
// account; serve prints it on its first line.
const accountConvention = "accounts: LocalStack convention — a 12-digit access key id is the caller's account, otherwise 000000000000"

// sharedConvention is accountConvention with --shared-account.
const sharedConvention = "accounts: every caller is " + reftarget.SharedAccountID + ", whatever its credentials say"

// serveUsage is serve's one-line usage.
const serveUsage = "usage: runner serve [--addr 127.0.0.1:4566] [--verbose] [--without OP,OP] [--implicit-organizations] [--shared-account] [--latency D] [--fault NAME]"

// serveCmd serves the embedded reference target until SIGINT or SIGTERM:
//
//	runner serve [--addr 127.0.0.1:4566] [--verbose] [--without OP,OP] [--implicit-organizations] [--shared-account] [--latency D] [--fault NAME]
//
// The first line on stdout says where it listens; with --verbose one line
// per request goes to stderr. --without makes the named operations answer
// as LocalStack answers one it lacks (501 InternalFailure);
// --implicit-organizations makes CreateOrganization one of them and gives
// an account its organization on its first management call;
// --shared-account serves every caller as one account, as moto does; --latency
// delays every API answer (a stand-in for slow emulators); --fault plants
// one fault or equivalent variant of the catalogue (runner faults). Bad
// flags or an unusable address exit 2.
func serveCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// serve is serveCmd with the stop signal as a context, for tests.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("runner serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:4566", "host:port to listen on (port 0 picks a free port)")
	verbose := fs.Bool("verbose", false, "log one line per request to stderr")
	without := fs.String("without", "", "comma-separated operations that answer 501 not implemented, as LocalStack does")
	implicit := fs.Bool("implicit-organizations", false, "CreateOrganization is not implemented; an account's first management call creates its organization")
	shared := fs.Bool("shared-account", false, "serve every caller as account "+reftarget.SharedAccountID+", whatever its credentials say, as moto does")
	latency := fs.Duration("latency", 0, "delay every API answer by this much (at most 10s)")
	fault := fs.String("fault", "", "plant this fault (or equivalent variant) of runner faults")
	usageError := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "runner serve: %s (%s)\n", fmt.Sprintf(format, args...), serveUsage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(stdout, serveUsage, fs)
			return 0
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	opts := reftarget.Options{}
	if *fault != "" {
		fo, err := faultOptions(*fault)
		if err != nil {
			return usageError("%v", err)
		}
		opts = fo
	}
	opts.ImplicitOrganizations, opts.SharedAccount, opts.Latency = *implicit, *shared, *latency
	if *without != "" {
		for name := range strings.SplitSeq(*without, ",") {
			if name = strings.TrimSpace(name); name == "" {
				return usageError("--without %q: an empty operation name", *without)
			}
			opts.Without = append(opts.Without, name)
		}
	}
	if *verbose {
		opts.Log = stderr
	}
	srv, err := reftarget.NewChecked(opts)
	if err != nil {
		return usageError("%v", err)
	}
	url, shutdown, err := srv.Start(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "runner serve: %v\n", err)
		return 2
	}
	convention := accountConvention
	if opts.SharedAccount {
		convention = sharedConvention
	}
	fmt.Fprintf(stdout, "orgconform reference target listening on %s (%s)\n", url, convention)
	if *fault != "" {
		fmt.Fprintf(stdout, "planted: %s (runner faults describes it)\n", *fault)
	}
	if mode := serveMode(opts); mode != "" {
		fmt.Fprintf(stdout, "mode: %s\n", mode)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "runner serve: %v\n", err)
		return 1
	}
	fmt.Fprintln(stderr, "runner serve: stopped")
	return 0
}

// serveMode says which partial or slow mode opts set ("" for none).
func serveMode(opts reftarget.Options) string {
	var parts []string
	if len(opts.Without) > 0 {
		parts = append(parts, "not implemented: "+strings.Join(opts.Without, ", "))
	}
	if opts.ImplicitOrganizations {
		parts = append(parts, "implicit organizations (CreateOrganization not implemented)")
	}
	if opts.SharedAccount {
		parts = append(parts, "every caller served as account "+reftarget.SharedAccountID)
	}
	if opts.Latency > 0 {
		parts = append(parts, "every answer "+opts.Latency.String()+" late")
	}
	return strings.Join(parts, "; ")
}
