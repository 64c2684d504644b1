// Package contract holds orgconform's contract scenarios and the vocabulary
// they are written in.
//
// A Check is one named scenario with a stable id (for example
// "accept/success/response" or "transition/INVITE/OPEN/AcceptHandshake/sender").
// Checks reach a target only through package endpoint, and
// judge what they see against the contract data in packages specs, schemas
// and golden. Every check ends in one Status: pass, fail, skip or
// unsupported (the target evidently does not implement an operation the
// check needs).
//
// Entry points:
//
//   - Checks lists every check in run order.
//
//   - Execute runs the checks against a target and returns a Report; the
//     runner uses it.
//
//   - Run runs them from a Go test, one subtest per check:
//
//     func TestConformance(t *testing.T) {
//     tgt, _ := target.New(target.Config{Endpoint: url})
//     contract.Run(t, tgt)
//     }
//
// Files by concern: check.go (Check, T, Status), run.go (Execute, Run,
// Report), fixtures.go (organizations, invitations and cleanup), oracle.go
// (what the spec allows), handshake.go (reading handshake bodies), and one
// file per group of scenarios: accept.go, transitions.go, input.go,
// constraint.go, protocol.go, golden.go.
package contract
