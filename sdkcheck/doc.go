// Package sdkcheck replays the goldens through an aws-sdk-go-v2
// service/organizations version and compares what it decodes with the
// goldens' expectations: the SDK regression check behind `runner sdk`.
//
// Cases builds the replayed responses from the golden files: every
// response golden of every operation folder, each error golden as recorded
// and in every wire form of its type (bare, namespace-prefixed, with a ':'
// URI suffix, X-Amzn-ErrorType header only, header overriding the body,
// lower-case "message"), plus probes that reveal how the SDK matches error
// codes (a lower-cased code: case sensitivity; the code of an exception
// the operation does not document: per-operation or service-wide).
//
// Run writes the cases into a throwaway module per SDK version — package
// replay's source and a generated main.go, importing only the SDK under
// test, never this repository — builds it with the go command, reads the
// outcomes as JSON and Compare judges them: expected vs decoded per field
// (type, code, message, reason, fault; output values; the sent request),
// with the SDK versions of specs/sdk.json "since" entries turning an
// older version's difference into "not modelled in this version"; the
// exceptions of each version's registry the spec does not classify; and
// the error matching against specs/sdk.json errorMatching. InProcess does
// the same for the SDK in go.mod, which the package's tests use.
package sdkcheck
