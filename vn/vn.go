// Package vn holds Vietnamese conventions the product follows everywhere:
// alphabetical order (a, ă, â, b, c, d, đ, e, ê, …), used for every sorted
// list of names that people read.
//
// It imports only golang.org/x/text and the standard library.
package vn

import (
	"bytes"
	"sort"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// SortBy sorts items stably in Vietnamese alphabetical order of key(item).
// A collator is not safe for concurrent use, so each call makes its own and
// computes every sort key once.
func SortBy[T any](items []T, key func(T) string) {
	col := collate.New(language.Vietnamese)
	var buf collate.Buffer
	keys := make([][]byte, len(items))
	for i, it := range items {
		keys[i] = append([]byte(nil), col.KeyFromString(&buf, key(it))...)
		buf.Reset()
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return bytes.Compare(keys[idx[a]], keys[idx[b]]) < 0 })
	sorted := make([]T, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
}
