// Package password hashes staff passwords with argon2id and checks them in
// constant time. Hashes are self-describing PHC strings
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), so parameters can be raised later
// without invalidating stored hashes.
//
// It imports only the standard library and golang.org/x/crypto.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// Default follows OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane):
// about 20 ms a hash on a small server, so a login stays fast while offline
// guessing of a leaked hash stays expensive.
var Default = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// MinLength is the shortest password accepted.
const MinLength = 10

// Check returns a user-facing problem with a new password, or nil.
func Check(username, pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinLength:
		return fmt.Errorf("mật khẩu cần ít nhất %d ký tự (password needs at least %d characters)", MinLength, MinLength)
	case len(pw) > 256:
		return errors.New("mật khẩu quá dài, tối đa 256 byte (password too long)")
	case strings.EqualFold(pw, username):
		return errors.New("mật khẩu không được trùng tên đăng nhập (password must differ from the username)")
	}
	return nil
}

// Hash returns the PHC string of pw with a fresh random salt.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: no randomness: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether pw matches the PHC string. A malformed hash never
// matches.
func Verify(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var p Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.MemoryKiB == 0 || p.MemoryKiB > 1<<20 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Random returns a random password of n characters from an alphabet without
// look-alikes (no 0/O, 1/l/I), for generated admin passwords.
func Random(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("password: no randomness: %v", err))
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
