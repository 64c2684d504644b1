package endpoint

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"github.com/orgconform/orgconform/internal/redact"
	"regexp"
)

// Principal is one caller identity.
type Principal struct {
	Role            string // "management", "member", "outsider", or free text
	AccountID       string // 12 digits
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Profile         string // named profile it came from (live AWS), if any
	Email           string // the account's email, when a target file gives it
}

// LocalStackSecret is the secret access key of minted principals; LocalStack
// and moto accept any secret and take the account id from the access key id.
const LocalStackSecret = "test"

// accountIDPattern is the shape of an AWS account id.
var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// ValidAccountID reports whether s is a 12-digit account id.
func ValidAccountID(s string) bool { return accountIDPattern.MatchString(s) }

// Mint returns a principal for role. A fixed principal installed with
// SetPrincipals for role is returned as is; otherwise Mint follows the
// LocalStack convention: a fresh 12-digit account id (first digit non-zero,
// never repeated within the Target) used as the access key id, with secret
// LocalStackSecret. The sequence of ids is a function of the Seed.
func (t *Target) Mint(role string) Principal {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.fixed[role]; ok {
		return p
	}
	var id string
	for {
		id = fmt.Sprintf("%012d", 100_000_000_000+t.rng.Int64N(900_000_000_000))
		if !t.minted[id] {
			break
		}
	}
	t.minted[id] = true
	return Principal{Role: role, AccountID: id, AccessKeyID: id, SecretAccessKey: LocalStackSecret}
}

// MintFor returns the principal minted for key (for example a check's id,
// role and index) on the LocalStack convention, like Mint, except that the
// account id is a function of the Seed and key alone: a check gets the same
// accounts whatever order the checks of a run take. An id already handed
// out (minted, or a fixed principal's) is never returned again; a
// collision draws again from key.
func (t *Target) MintFor(key, role string) Principal {
	t.mu.Lock()
	defer t.mu.Unlock()
	for salt := 0; ; salt++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s\x00%d", t.seed, key, salt))
		id := fmt.Sprintf("%012d", 100_000_000_000+binary.BigEndian.Uint64(sum[:8])%900_000_000_000)
		if !t.minted[id] {
			t.minted[id] = true
			return Principal{Role: role, AccountID: id, AccessKeyID: id, SecretAccessKey: LocalStackSecret}
		}
	}
}

// SetPrincipals installs fixed principals (a target file's, each with its
// Role): Mint(role) returns the first of role from now on, their account
// ids are never minted, and their secrets are redacted from every text
// Redact sees.
func (t *Target) SetPrincipals(ps []Principal) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var secrets []string
	for _, p := range ps {
		if _, ok := t.fixed[p.Role]; !ok {
			t.fixed[p.Role] = p
		}
		if p.AccountID != "" {
			t.minted[p.AccountID] = true
		}
		secrets = append(secrets, secretsOf(&p)...)
	}
	t.redactor = redact.NewSecrets(secrets...)
}

// credentialsSet reports whether p can sign a request.
func (p Principal) credentialsSet() bool {
	return p.AccessKeyID != "" && p.SecretAccessKey != ""
}

// String names the principal without its secrets.
func (p Principal) String() string {
	s := p.Role
	if s == "" {
		s = "principal"
	}
	if p.AccountID != "" {
		s += " " + p.AccountID
	}
	if p.Profile != "" {
		s += " (profile " + p.Profile + ")"
	}
	return s
}
