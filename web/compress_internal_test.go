package web

import "testing"

func TestNegotiateEncoding(t *testing.T) {
	for header, want := range map[string]string{
		"":                         "",
		"identity":                 "",
		"gzip":                     "gzip",
		"GZIP":                     "gzip",
		"x-gzip":                   "gzip",
		"br":                       "br",
		"gzip, deflate, br, zstd":  "br",
		"gzip;q=1, br;q=0.8":       "gzip",
		"br;q=0, gzip":             "gzip",
		"gzip;q=0":                 "",
		"*":                        "br",
		"*;q=0.5, gzip":            "gzip",
		"deflate":                  "",
		"gzip;q=nonsense, br;q=0":  "",
		" gzip ; q=0.3 , br;q=0.2": "gzip",
	} {
		if got := negotiateEncoding(header); got != want {
			t.Errorf("negotiateEncoding(%q) = %q, want %q", header, got, want)
		}
	}
}

// Only pages and JSON are compressed on the fly: Server-Sent Events must
// arrive as written, and downloads are left as their handlers write them.
func TestCompressibleType(t *testing.T) {
	for contentType, want := range map[string]bool{
		"text/html; charset=utf-8":         true,
		"application/json":                 true,
		"application/problem+json":         true,
		"text/event-stream; charset=utf-8": false,
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": false,
		"text/csv; charset=utf-8": false,
		"":                        false,
	} {
		if got := compressibleType(contentType); got != want {
			t.Errorf("compressibleType(%q) = %v, want %v", contentType, got, want)
		}
	}
}
