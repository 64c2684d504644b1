// Package internal holds helpers that more than one orgconform package
// needs. Its packages import nothing of orgconform, so every other package,
// the data packages included, may use them:
//
//   - text: one-line summaries, snippets, shell quoting, control-character
//     filtering;
//   - redact: hiding credentials in headers and in any text a target echoes
//     (raw, JSON-escaped, URL-encoded, split across lines);
//   - awserr: reading an awsJson1_1 error code as aws-sdk-go-v2 does;
//   - sdkmodel: reading what an aws-sdk-go-v2 organizations version knows
//     (exceptions, type registry, enums, HTTP error codes) from its source,
//     so code that uses it builds with every SDK version.
package internal
