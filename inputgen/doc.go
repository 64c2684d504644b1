// Package inputgen: requests generated from the request schemas: valid ones,
// and ones that break exactly one constraint, each with the answer the
// contract gives it.
//
// Everything is read from schemas/ (the request schema of each operation and
// the shared definitions it refers to) and specs/ (the reason codes of
// InvalidInputException and the common errors accepted for undeserializable
// input); no constraint is restated here. For an operation op:
//
//   - Valid(op) draws request bodies that validate against
//     schemas/<op>/request.schema.json: optional members present and absent,
//     nested shapes, enums, strings from the member's pattern
//     (Pattern.Matching), and lengths, repetition counts and numbers biased
//     to their boundaries;
//   - Broken(op) draws a Case: a body that breaks one constraint (pattern,
//     minLength, maxLength, minimum, maximum, enum, required, type,
//     exclusive, or an unknown member) with the Expect the contract gives it;
//   - Judge(op, body) classifies any body the same way (the fuzz targets'
//     oracle).
//
// The answer table (constraint kind → documented answer) is in expect.go;
// the reason names are checked against specs' InvalidInputExceptionReason
// when an operation is loaded, so a spec change that drops one fails loudly
// instead of being judged with a stale name.
//
// Strings are generated from the regular-expression subset the schemas use
// (Pattern.Matching, Pattern.NotMatching), parsed with regexp/syntax and
// checked with Go's regexp, the engine the schema validator uses.
//
// Choices where the sources are silent: modeled constraints (length,
// pattern, range, enum, required) are validated before the operation runs,
// so a broken request gets InvalidInputException whoever sends it; a rule
// only the documentation states (HandshakeFilter's exclusive members) may
// come after the caller's own refusals. Where a reader may differ the
// expectation allows both readings and says why: lengths in code points
// (JSON Schema) or UTF-16 units (Java); a Java-style $ before a final
// newline; text after the first JSON value; integers written 5.0 or beyond
// 32 bits; an empty body read as {}; a wrong JSON type refused as
// SerializationException or coerced (the contract's input checks accept
// both).
package inputgen
