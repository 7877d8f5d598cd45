package incident

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// idEncoding is lowercase base32 without padding, safe in channel names and
// workflow IDs.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// IDFromKey derives a short incident ID from an idempotency key (for example
// the Slack view ID of the declare modal), so that a repeated delivery of the
// same declaration names the same incident.
func IDFromKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return idEncoding.EncodeToString(sum[:5]) // 8 characters, 40 bits
}

// ValidID reports whether id looks like an incident ID a user may type.
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	return strings.IndexFunc(id, func(r rune) bool { return !isChannelRune(r) }) < 0
}
