package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/orgconform/orgconform/reftarget"
)

// shutdownGrace is how long serve waits for in-flight requests on SIGINT/SIGTERM.
const shutdownGrace = 5 * time.Second

// accountConvention describes how the reference target picks the caller's
// account; serve prints it on its first line.
const accountConvention = "accounts: LocalStack convention — a 12-digit access key id is the caller's account, otherwise 000000000000"

// serveCmd serves the embedded reference target until SIGINT or SIGTERM:
//
//	runner serve [--addr 127.0.0.1:4566] [--verbose]
//
// The first line on stdout says where it listens; with --verbose one line
// per request goes to stderr. Bad flags or an unusable address exit 2.
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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: runner serve [--addr 127.0.0.1:4566] [--verbose]")
			return 0
		}
		fmt.Fprintf(stderr, "runner serve: %v (usage: runner serve [--addr host:port] [--verbose])\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "runner serve: unexpected argument %q (usage: runner serve [--addr host:port] [--verbose])\n", fs.Arg(0))
		return 2
	}
	opts := reftarget.Options{}
	if *verbose {
		opts.Log = stderr
	}
	url, shutdown, err := reftarget.New(opts).Start(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "runner serve: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "orgconform reference target listening on %s (%s)\n", url, accountConvention)
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
