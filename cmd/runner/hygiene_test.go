package main

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orgconform/orgconform/reftarget"
)

// lockedLog is a request log written by the target's handlers at once.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestRunLeavesNoOrganizations: the cleanups that economise on requests
// (no cancel of a handshake seen finished, an organization's open
// handshakes left to its deletion, a removal only of accounts that may
// have joined) still leave the target as they found it: every
// organization the default run made is deleted (which needs every member
// removed first), and no cleanup failed.
func TestRunLeavesNoOrganizations(t *testing.T) {
	log := &lockedLog{}
	srv := httptest.NewServer(reftarget.New(reftarget.Options{Log: log}))
	defer srv.Close()
	run, err := runAgainst(srv.URL)
	require.NoError(t, err)
	require.Zero(t, run.Report.Summary().Failed)
	assert.Empty(t, run.Report.Cleanup, "cleanup failures")

	log.mu.Lock()
	lines := log.b.String()
	log.mu.Unlock()
	count := func(op string) int {
		return len(regexp.MustCompile(`(?m) `+op+` account=\d+ status=200 `).FindAllString(lines, -1))
	}
	created, deleted := count("CreateOrganization"), count("DeleteOrganization")
	assert.Greater(t, created, 100, "the run makes organizations")
	assert.Equal(t, created, deleted, "every organization made is deleted")
}
