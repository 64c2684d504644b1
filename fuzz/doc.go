// Package fuzz holds orgconform's generated checks: properties that drive a
// target with inputs and call sequences no one wrote down, run as checks of
// the default run (Checks) on the check runtime, judged by package oracle.
//
//   - property/input/<Op> (inputCheck, InputProperty): requests generated
//     from schemas/ (package inputgen) for every operation in scope, valid
//     and broken; each answer must be the documented one.
//   - property/lifecycle (lifecycle, machine): a rapid state machine over
//     the whole handshake API and every role — organizations, invitations by
//     account id and by email, accept/decline/cancel by recipient, sender,
//     another member, an outsider and another organization's management
//     account, reads by each, removals, departures, the all-features process
//     and clock moves — with invariants that re-read what each action
//     touched (who sees which handshake, membership, pagination).
//   - property/linearizable (linearizable): concurrent calls on the same
//     handshakes and account, checked for linearizability with
//     github.com/anishathalye/porcupine against the same model.
//   - HandshakeID and the native Go fuzz targets (FuzzAcceptHandshakeID,
//     FuzzRequestBody<Op>, FuzzErrorParsing) in the tests; go test runs their
//     seed corpora.
//
// The model (model.go) holds no transition logic: it says which row of the
// oracle's table applies (the caller's role, the states a handshake may be
// in) and keeps a set of states where the sources leave an effect open.
// Failure messages name ids by the replay script's variables, so that
// rapid, which shrinks only towards failures with the same message, can
// shrink across runs whose ids differ.
//
// Files by concern: checks.go (the check list, input checks), model.go,
// lifecycle.go, linear.go, cli.go (replay lines), inputs.go, id.go.
package fuzz
