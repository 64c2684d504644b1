package main

import (
	"fmt"
	"io"
)

// serveCmd serves the embedded reference target. (Placeholder.)
func serveCmd(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "runner serve: not implemented yet")
	return 2
}
