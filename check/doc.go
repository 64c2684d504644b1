// Package check is orgconform's small check runtime: it runs named checks
// against a target and records their verdicts. It knows nothing of the
// handshake API: scenarios (contract/), properties (fuzz/) and fixtures
// (fixture/) are written on top of it, and judgement comes from package
// oracle.
//
// Entry points:
//
//   - Check is one named check: an id, the operation under test, what it
//     needs (operations, principals by role, invitations), and its body.
//   - Execute runs checks against an endpoint.Target and returns a Report;
//     Run does the same from a Go test or benchmark.
//   - T is what a running check sees: calls to the target (with retries of
//     throttled calls and a timeout budget per operation), verdicts (Failf,
//     Skipf, Blockedf), evidence (every exchange of the check, numbered),
//     notes, principals, and cleanups.
//   - T.Property runs a pgregory.net/rapid property as a check: examples
//     counted, cleanups per example, a failure shrunk to a counterexample
//     (numbered steps with their exchanges, an aws CLI replay script, the
//     seed and the command that reproduce it). ConfigureRapid sets the
//     budget and seed outside go test.
//   - Capabilities records, per operation, whether the target implements
//     it; once an operation has answered as implemented, a "not
//     implemented" answer from it is a failure, never unsupported.
//
// Files by concern: check.go (Check, Result, Status), t.go (T and its
// verdicts), call.go (calls, retries, judging answers), caps.go
// (capabilities), principals.go (who calls), observe.go (what the run-wide
// checks judge), run.go (Execute, Report), gotest.go (Run), property.go
// (Property, Recorder, ConfigureRapid).
package check
