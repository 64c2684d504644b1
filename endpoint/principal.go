package endpoint

import (
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

// SetPrincipals installs fixed principals (from a target file): Mint(role)
// returns ps[role] from now on for those roles. Their account ids are never
// minted for other roles. A principal without a Role gets its map key.
func (t *Target) SetPrincipals(ps map[string]Principal) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for role, p := range ps {
		if p.Role == "" {
			p.Role = role
		}
		t.fixed[role] = p
		if p.AccountID != "" {
			t.minted[p.AccountID] = true
		}
	}
	var secrets []string
	for _, p := range t.fixed {
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
