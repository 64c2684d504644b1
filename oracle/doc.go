// Package oracle is orgconform's judgement, as pure functions: what the
// contract in specs/ allows as the answer to a call, and whether an answer
// is one of those. Nothing here sends a request; every function is
// unit-tested without HTTP, and the written scenarios (contract/), the
// generated tests (fuzz/) and the reference target's tests all judge with
// it — there is one transition oracle, not one per caller.
//
// Entry points:
//
//   - Expectation is an allowed answer set; Judge compares an Answer with
//     one and returns a Verdict (pass, fail with expected/observed, or
//     inconclusive when the target throttled or failed inside).
//   - Transition is the transition table: the Expectation for an action,
//     state, operation and caller role.
//   - Handshake is a Handshake as it travels on the wire; Shape lists how
//     one departs from the rules that hold whatever the scenario.
//
// Files by concern: expect.go (Expectation, Judge), transition.go,
// handshake.go, status.go (HTTP statuses and error categories).
package oracle
