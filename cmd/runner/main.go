// Command runner runs the orgconform contract checks against an AWS
// Organizations endpoint, or serves the embedded reference target.
//
//	runner [flags]            run every check (against the embedded target unless --endpoint)
//	runner serve [flags]      serve the embedded reference target
//	runner sdk VERSION[,…]    replay the goldens through aws-sdk-go-v2 versions and compare them
//	runner merge REPORT.json… combine the reports of a run's shards into one verdict
//	runner faults             list the reference target's faults and equivalent variants
//	runner diff A B           run the same generated sequences against two targets and show where they differ
//	runner fuzz [flags]       run the properties in rounds for --duration (a fuzz campaign)
//	runner help               the main help
//
// Exit status: 0 checks ran, at least one passed and none failed; 1 a
// check failed, none reached a verdict, or the run was interrupted; 2 bad
// usage or an unreachable target (runner sdk: 1 a difference between a version and
// the expectations, 2 a version that could not be downloaded or built).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand: it parses its own flags from args and returns
// the process exit status.
type command func(args []string, stdout, stderr io.Writer) int

// commands is the subcommand table; the empty name is the default (run).
var commands = map[string]command{
	"":       runCmd,
	"serve":  serveCmd,
	"sdk":    sdkCmd,
	"merge":  mergeCmd,
	"faults": faultsCmd,
	"diff":   diffCmd,
	"fuzz":   fuzzCmd,
}

// help is in the table too; it reads the table, so it joins it here.
func init() { commands["help"] = helpCmd }

// helpCmd prints the main help (runner help is runner --help), or a
// command's (runner help serve is runner serve --help).
func helpCmd(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		return runCmd([]string{"--help"}, stdout, stderr)
	case len(args) > 1 || args[0] == "help" || commands[args[0]] == nil:
		fmt.Fprintf(stderr, "runner: help %q: no such command (commands: serve, sdk, merge, faults, diff, fuzz)\n", strings.Join(args, " "))
		return 2
	}
	return commands[args[0]]([]string{"--help"}, stdout, stderr)
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch picks the subcommand named by the first argument, if any.
func dispatch(args []string, stdout, stderr io.Writer) int {
	name := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "runner: unknown command %q (commands: serve, sdk, merge, faults, diff, fuzz, help; no command runs the checks)\n", name)
		return 2
	}
	return cmd(args, stdout, stderr)
}
