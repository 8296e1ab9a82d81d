package users

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"mailroom/backend/fault"
)

// Password rules (F21): at least 8 characters, at most 64, counted as characters (not bytes).
const (
	MinPasswordLen = 8
	MaxPasswordLen = 64
)

// Argon2id with OWASP's recommended parameters (Password Storage Cheat Sheet, first option):
// m = 19 MiB (19,456 KiB), t = 2 iterations, p = 1 thread; a 16-byte random salt and a
// 32-byte key. Verification reads the parameters from the stored string, so raising them
// later still verifies the passwords hashed before.
const (
	argonMemoryKiB  = 19 * 1024
	argonIterations = 2
	argonThreads    = 1
	argonSaltLen    = 16
	argonKeyLen     = 32
	// argonMaxMemoryKiB bounds what a stored string may ask for, so a damaged row cannot
	// make a verification allocate gigabytes.
	argonMaxMemoryKiB = 256 * 1024
)

var (
	// ErrPasswordTooShort: a password under the minimum length.
	ErrPasswordTooShort = fault.Define("password_too_short", fault.InvalidInput,
		"the password is too short (at least {min} characters)")
	// ErrPasswordTooLong: a password over the maximum length.
	ErrPasswordTooLong = fault.Define("password_too_long", fault.InvalidInput,
		"the password is too long (at most {max} characters)")
)

// checkPassword applies the length rules; field names the form field to blame.
func checkPassword(pw, field string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return ErrPasswordTooShort.Field(field, fault.P{"min": MinPasswordLen})
	}
	if n > MaxPasswordLen {
		return ErrPasswordTooLong.Field(field, fault.P{"max": MaxPasswordLen})
	}
	return nil
}

var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string of pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, salt and key in unpadded base64.
func hashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("users: password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonIterations, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonIterations, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword reports whether pw matches the PHC string; the keys are compared in
// constant time. An unreadable string matches nothing.
func verifyPassword(phc, pw string) bool {
	parts := strings.Split(phc, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	if m == 0 || m > argonMaxMemoryKiB || t == 0 || t > 16 || p == 0 {
		return false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
