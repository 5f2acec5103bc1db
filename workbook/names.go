package workbook

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ContentType is the media type of an .xlsx file.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// MaxSheetName is the longest sheet name Excel accepts.
const MaxSheetName = 31

// SafeSheetName makes name acceptable to Excel as a sheet name: the
// characters []:*?/\ become "-", control characters and leading or
// trailing apostrophes go, it is cut to 31 characters, and an empty name
// or Excel's reserved "History" gets a usable replacement.
func SafeSheetName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			b.WriteRune('-')
		case unicode.IsControl(r), r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(strings.Trim(strings.TrimSpace(b.String()), "'"))
	// Sheet names are counted in UTF-16 units; Vietnamese letters are one
	// unit each, but emoji and rare CJK characters are two.
	var out []rune
	units := 0
	for _, r := range s {
		n := 1
		if r > 0xFFFF {
			n = 2
		}
		if units+n > MaxSheetName {
			break
		}
		out = append(out, r)
		units += n
	}
	s = strings.TrimSpace(strings.TrimRight(string(out), "'"))
	switch {
	case s == "":
		return "Sheet"
	case strings.EqualFold(s, "History"):
		return s + "_"
	}
	return s
}

// ContentDisposition is the header value that makes a browser download a
// file under filename: a plain-ASCII fallback (Vietnamese letters without
// their marks) for old clients and the exact UTF-8 name in RFC 5987 form,
// e.g. for "Bộ tiêu chí - x.xlsx":
//
//	attachment; filename="Bo tieu chi - x.xlsx"; filename*=UTF-8''B%E1%BB%99%20ti%C3%AAu%20ch%C3%AD%20-%20x.xlsx
//
// Path separators, quotes and control characters never reach the header.
func ContentDisposition(filename string) string {
	name := cleanFileName(filename)
	return `attachment; filename="` + asciiFallback(name) + `"; filename*=UTF-8''` + encodeRFC5987(name)
}

func cleanFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '\\' || r == '"' || r == utf8.RuneError:
			b.WriteRune('_')
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(b.String())
	if s == "" || strings.Trim(s, ".") == "" {
		return "download"
	}
	return s
}

// asciiFallback removes Vietnamese marks (ộ → o, đ → d) and replaces what
// is still not printable ASCII with "_".
func asciiFallback(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// encodeRFC5987 percent-encodes every byte that is not an attr-char.
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// SafeFileName makes name usable as a file name on every system the
// product's users have: path separators, quotes, control characters and
// the characters Windows refuses (<>:|?*) become "_".
func SafeFileName(name string) string {
	var b strings.Builder
	for _, r := range cleanFileName(name) {
		if strings.ContainsRune(`<>:|?*`, r) {
			r = '_'
		}
		b.WriteRune(r)
	}
	return b.String()
}
