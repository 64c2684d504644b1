package inputgen

import (
	"flag"
	"os"
	"testing"
)

// TestMain keeps rapid from writing .fail files into the source tree; a
// failure prints the seed and steps to reproduce it instead.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("rapid.nofailfile"); f != nil && !isSet("rapid.nofailfile") {
		f.Value.Set("true")
	}
	os.Exit(m.Run())
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
