package endpoint

import (
	"github.com/orgconform/orgconform/internal/redact"
)

// Redacted replaces a secret.
const Redacted = redact.Redacted

// secretsOf lists p's secrets worth redacting: its secret access key and
// session token.
func secretsOf(p *Principal) []string {
	if p == nil {
		return nil
	}
	return []string{p.SecretAccessKey, p.SessionToken}
}

// Redact returns s with every secret of the target's fixed principals
// (secret keys, session tokens), in any encoding, and anything shaped like a
// SigV4 signature replaced by REDACTED: apply it to any text built from
// what a target sent before printing it.
func (t *Target) Redact(s string) string {
	t.mu.Lock()
	r := t.redactor
	t.mu.Unlock()
	return r.String(s)
}
