package vn_test

import (
	"strings"
	"testing"

	"parindex/vn"
)

func TestVietnameseOrder(t *testing.T) {
	names := []string{"Đông", "Ân", "Dương", "Bình", "Ăn", "An", "Ê", "Em", "Ơn", "Ôn", "On"}
	vn.SortBy(names, func(s string) string { return s })
	// The Vietnamese alphabet: a ă â b c d đ e ê … o ô ơ.
	want := "An Ăn Ân Bình Dương Đông Em Ê On Ôn Ơn"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("order = %s\nwant    %s", got, want)
	}
}

func TestVietnameseNumbers(t *testing.T) {
	for _, c := range []struct {
		lang string
		x    float64
		dec  int
		want string
	}{
		{"vi", 1234.5, 1, "1.234,5"},
		{"en", 1234.5, 1, "1,234.5"},
		{"vi", -1234567.891, 2, "-1.234.567,89"},
		{"vi", 0.004, 2, "0,00"},
		{"vi", -0.004, 2, "0,00"},
		{"vi", 999, 0, "999"},
	} {
		if got := vn.FormatNumber(c.lang, c.x, c.dec); got != c.want {
			t.Errorf("FormatNumber(%s, %v, %d) = %q, want %q", c.lang, c.x, c.dec, got, c.want)
		}
	}
}
