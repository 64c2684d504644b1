package check

import "syscall"

// peakRSS is the process's peak resident memory in bytes so far (0 where
// the system does not say).
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// PeakRSS is the process's peak resident memory in bytes so far (0 where
// the system does not say), as reports give it.
func PeakRSS() int64 { return peakRSS() }
