// Package sdkcheck replays the golden files of package golden through a real
// aws-sdk-go-v2 Organizations client and checks that the client decodes them
// into the typed outputs and errors listed in the goldens' expectations.json.
// It guards against SDK regressions: bump the SDK in go.mod and run
// go test ./... (see golden/README.md). The package has only tests.
package sdkcheck
