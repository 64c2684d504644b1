//go:build race

package reftarget_test

// raceDetector reports whether the tests run with -race.
const raceDetector = true
