package contract

// Checks returns every check in run order: protocol, input, accept,
// transition, constraint, sdk and golden scenarios, then the run-wide error
// checks, which judge every error response the others provoked.
func Checks() []Check {
	var out []Check
	for _, group := range []func() []Check{
		protocolChecks, inputChecks, acceptChecks, transitionChecks, constraintChecks, sdkChecks, goldenChecks, errorChecks,
	} {
		out = append(out, group()...)
	}
	return out
}
