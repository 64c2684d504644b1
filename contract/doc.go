// Package contract holds orgconform's written scenarios — the checks of a
// conformance run — and the run's entry points.
//
// A check has a stable id (for example "accept/success/response" or
// "transition/INVITE/OPEN/AcceptHandshake/sender"), reaches a target only
// through package endpoint, builds on package fixture and judges with
// package oracle. Every check ends in one status: pass, fail, skip,
// unsupported (the target offers no way to something the check needs) or
// not run (the run was interrupted first).
//
// Entry points:
//
//   - Checks lists every written check in run order.
//
//   - Execute runs checks against a target and returns a check.Report; the
//     runner uses it.
//
//   - Run runs them from a Go test, one subtest per check:
//
//     func TestConformance(t *testing.T) {
//     tgt, _ := endpoint.New(endpoint.Config{Endpoint: url})
//     contract.Run(t, tgt, contract.Options{})
//     }
//
// Files by concern: contract.go (entry points), one file per group of
// scenarios: protocol.go, input.go, accept.go, transitions.go,
// constraint.go, sdk.go, golden.go, errors.go.
package contract
