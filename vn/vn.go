// Package vn holds Vietnamese conventions the product follows everywhere:
// alphabetical order (a, ă, â, b, c, d, đ, e, ê, …), used for every sorted
// list of names that people read.
//
// It imports only golang.org/x/text and the standard library.
package vn

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"

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

// FormatNumber writes x with the given decimals: 1.234,5 in Vietnamese
// (lang "vi"), 1,234.5 in English ("en").
func FormatNumber(lang string, x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	group, point := ".", ","
	if lang == "en" {
		group, point = ",", "."
	}
	var b strings.Builder
	if x < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(point + frac)
	}
	return b.String()
}
