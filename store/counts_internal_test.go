package store

import (
	"reflect"
	"testing"
)

func TestCountsText(t *testing.T) {
	for _, c := range [][]int64{{}, {0}, {7, 0, 12, 123456789012}, {-1, 1, 0, -42}} {
		text := formatCounts(c)
		got, err := parseCounts([]byte(text), nil, 0)
		if err != nil || len(got) != len(c) || (len(c) > 0 && !reflect.DeepEqual(got, c)) {
			t.Errorf("%v → %q → %v, %v", c, text, got, err)
		}
	}
	sum, err := parseCounts([]byte("{1,2,3}"), []int64{10, 20, 30}, 0)
	if err != nil || !reflect.DeepEqual(sum, []int64{11, 22, 33}) {
		t.Errorf("adding {1,2,3} to {10,20,30} = %v, %v", sum, err)
	}
	if first, err := parseCounts([]byte("{1,2,3}"), nil, 2); err != nil || !reflect.DeepEqual(first, []int64{1, 2}) {
		t.Errorf("the first two of {1,2,3} = %v, %v", first, err)
	}
	for _, bad := range []string{"", "{", "1,2", "{1,,2}", "{1,}", "{,1}", "{-}", "{--1}", "{1-2}", "{-,1}", "{1 }", "{x}", "{1}2}", "{1234567890123456789}"} {
		if got, err := parseCounts([]byte(bad), nil, 0); err == nil {
			t.Errorf("%q parsed as %v", bad, got)
		}
	}
}
