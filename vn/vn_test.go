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
