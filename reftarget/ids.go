package reftarget

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// newUUID returns a random (version 4) UUID for x-amzn-RequestId.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// randomID returns prefix followed by n random characters drawn from
// [a-z2-7] (lower-cased base32), which satisfies the model's lowercase
// alphanumeric id patterns (h-[0-9a-z]{8,32}, o-[a-z0-9]{10,32}).
func randomID(prefix string, n int) string {
	text := rand.Text() // 26 characters
	for len(text) < n {
		text += rand.Text()
	}
	return prefix + strings.ToLower(text[:n])
}
