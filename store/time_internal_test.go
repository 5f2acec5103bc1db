package store

import (
	"testing"
	"time"
)

func TestParseSQLiteTime(t *testing.T) {
	valid := map[string]string{ // text as stored → the layout time.Parse reads it with
		"2026-03-10 02:00:00+00:00":        "2006-01-02 15:04:05Z07:00",
		"2024-02-29 23:59:59+00:00":        "2006-01-02 15:04:05Z07:00",
		"2026-03-10 02:00:00.123456+00:00": "2006-01-02 15:04:05.999999Z07:00",
		"2026-03-10 09:00:00+07:00":        "2006-01-02 15:04:05Z07:00",
		"2026-03-10 02:00:00Z":             "2006-01-02 15:04:05Z07:00",
		"2026-03-10 02:00:00":              "2006-01-02 15:04:05",
	}
	for text, layout := range valid {
		want, err := time.Parse(layout, text)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseSQLiteTime(text)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSQLiteTime(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	for _, text := range []string{"2025-02-29 10:00:00+00:00", "2026-13-01 10:00:00+00:00", "2026-03-10 24:00:00+00:00", "2026-03-1x 02:00:00+00:00", "", "yesterday"} {
		if got, err := parseSQLiteTime(text); err == nil {
			t.Errorf("parseSQLiteTime(%q) = %v, want an error", text, got)
		}
	}
}
