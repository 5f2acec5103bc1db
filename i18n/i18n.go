// Package i18n is the one message catalogue of the product: every text a
// user reads outside data (menus, labels, errors, the public survey form)
// is a key with a Vietnamese and an English text. Vietnamese is the default.
// Packages add their keys at init; a duplicate key is a programming error.
//
// It imports only the standard library.
package i18n

import (
	"fmt"
	"sync"
)

// Languages.
const (
	VI = "vi"
	EN = "en"
)

var (
	mu        sync.RWMutex
	catalogue = map[string][2]string{}
)

// Add registers messages (key → Vietnamese, English). It panics on a key
// already registered, so two packages cannot silently fight over one text.
func Add(messages map[string][2]string) {
	mu.Lock()
	defer mu.Unlock()
	for k, v := range messages {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("i18n: message %q registered twice", k))
		}
		catalogue[k] = v
	}
}

// Lang normalises a language choice: "en" or the default "vi".
func Lang(s string) string {
	if s == EN {
		return EN
	}
	return VI
}

// T returns the text for key in lang, formatted with args when given. A
// missing key returns the key itself, so it shows up in tests and reviews.
func T(lang, key string, args ...any) string {
	mu.RLock()
	m, ok := catalogue[key]
	mu.RUnlock()
	if !ok {
		return key
	}
	s := m[0]
	if lang == EN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Lookup returns both texts of a key and whether it exists.
func Lookup(key string) ([2]string, bool) {
	mu.RLock()
	defer mu.RUnlock()
	m, ok := catalogue[key]
	return m, ok
}
