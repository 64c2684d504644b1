// Package endpoint reaches one AWS Organizations endpoint under test: a
// LocalStack or moto container, the orgconform reference target, or live AWS.
//
// A Target sends requests on two paths that share one HTTP client and one
// request counter:
//
//   - the SDK path (Target.SDK) runs a function against an aws-sdk-go-v2
//     organizations.Client built for one Principal, with retries disabled;
//     the last HTTP exchange is captured (the request by the client's HTTP
//     client, the response by a BeforeDeserialization interceptor);
//   - the raw path (Target.Raw, Target.RawRequest) sends a hand-built,
//     SigV4-signed awsJson1_1 POST whose body is sent byte for byte, so checks
//     can send what no SDK would.
//
// Both paths return a *Response: the outcome classified into a Kind
// (success, error, non-json, timeout, refused, transport), the error code
// read exactly as awsJson1_1 clients read it (ErrorCode), and the captured
// Exchange with credentials redacted. Every call runs under Config.Timeout;
// at most MaxBody bytes of a response body are read.
//
// Principals are minted on the LocalStack convention (Target.Mint: a fresh
// 12-digit account id used as the access key id, secret "test") or, for live
// AWS, resolved from named profiles listed in a target file (LoadFile,
// File.Resolve) and installed with Target.SetPrincipals.
//
// Targets that implement the orgconform test-control endpoint expose a
// settable clock per organization (Target.Clock, Target.AdvanceClock with an
// organization id; "" is the target-wide clock, which the checks never
// move); others report ok=false.
// The package was called target until it was renamed: a folder named
// target/ is skipped by many global ignore files (Maven's and Cargo's build
// output).
package endpoint
