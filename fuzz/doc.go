// Package fuzz holds orgconform's generated checks: properties that drive a
// target with inputs and call sequences no one wrote down.
//
//   - HandshakeID is the property behind the native Go fuzz target
//     FuzzAcceptHandshakeID: for any string, AcceptHandshake must refuse it
//     with InvalidInputException exactly when it breaks the HandshakeId
//     pattern or length, and otherwise look it up (and not find it).
//   - Lifecycle is a pgregory.net/rapid state machine: random invitations,
//     accepts, declines, cancels and clock moves by random callers, each
//     answer judged against the transition table in specs/ and a model of
//     every handshake's state.
//
// Both reach the target only through package endpoint. The tests run them
// against ORGCONFORM_ENDPOINT when set, else against the reference target.
// Deeper runs: go test ./fuzz -fuzz FuzzAcceptHandshakeID -fuzztime 60s, or
// go test ./fuzz -run TestLifecycle -rapid.checks 2000.
package fuzz
