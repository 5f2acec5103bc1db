package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
)

// jsonLevel is an object or array being read by repeatedKey.
type jsonLevel struct {
	object  bool
	keys    map[string]string // an object's keys: folded → as first written
	key     string            // an object's current key
	index   int               // an array's current index
	wantKey bool              // an object expects a key next
}

// repeatedKey finds the first key that appears twice in one object of the
// JSON text body, at any depth. It returns the key's path as the API's error
// field names it (observations[3].value), the key as written the second time
// and as written the first time. encoding/json keeps the last of repeated
// keys without a word, and matches a struct's fields regardless of case
// ("observations" and "Observations" fill one field), so keys are compared
// as it compares them. A body that is not one well-formed JSON value gets no
// answer here: the decoder reports it.
func repeatedKey(body []byte) (path, key, first string, found bool) {
	var stack []*jsonLevel
	// afterValue moves past a value inside the innermost level; it reports
	// whether that value was the whole body.
	afterValue := func() bool {
		if len(stack) == 0 {
			return true
		}
		top := stack[len(stack)-1]
		if top.object {
			top.wantKey = true
		} else {
			top.index++
		}
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // numbers stay text: no float64 conversion to fail here
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", "", "", false
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				l := &jsonLevel{object: d == '{', wantKey: d == '{'}
				if l.object {
					l.keys = map[string]string{}
				}
				stack = append(stack, l)
				continue
			}
			stack = stack[:len(stack)-1] // '}' or ']': the decoder checks they match
		} else if len(stack) > 0 && stack[len(stack)-1].wantKey {
			top := stack[len(stack)-1]
			k, _ := tok.(string)
			folded := foldKey(k)
			if earlier, seen := top.keys[folded]; !seen {
				top.keys[folded] = k
			} else if !found {
				path, key, first, found = keyPath(stack, k), k, earlier, true
			}
			top.key, top.wantKey = k, false
			continue
		}
		if afterValue() {
			return path, key, first, found
		}
	}
}

// foldKey is encoding/json's case folding of object keys.
func foldKey(k string) string {
	return strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, k)
}

// keyPath names key inside the innermost object of stack:
// observations[3].value.
func keyPath(stack []*jsonLevel, key string) string {
	var b strings.Builder
	for _, l := range stack[:len(stack)-1] {
		if !l.object {
			b.WriteString("[" + strconv.Itoa(l.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(l.key)
	}
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(key)
	return b.String()
}
