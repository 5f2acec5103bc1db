package kit

import (
	"strconv"
	"strings"
	"time"

	"parindex"
	"parindex/i18n"
	"parindex/stats"
	"parindex/vn"
)

// Message is the data of the small message page.
type Message struct{ Key string }

// Languages of the pages: those of the catalogue (package i18n).
const (
	VI = i18n.VI
	EN = i18n.EN
)

// T is i18n.T, the one catalogue of messages (i18n/locales), under the
// short name every handler uses.
func T(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// VietnamTime is the zone the survey and the store count days in (UTC+7,
// no daylight saving): "today" for counts, deadlines and validity must be the
// day those packages stored. How times are shown to people is the server clock's
// business (PARINDEX_TIME_ZONE), not this.
var VietnamTime = time.FixedZone("ICT", 7*3600)

// Number is vn.FormatNumber, under the short name every handler uses.
func Number(lang string, x float64, decimals int) string {
	return vn.FormatNumber(lang, x, decimals)
}

// Points formats a number of points with as many decimals as it has (at
// most 6): 2,5 · 0,25 · 100 in Vietnamese.
func Points(lang string, x float64) string {
	x = stats.RoundHalfUp(x, 6)
	decimals := 0
	if _, frac, ok := strings.Cut(strconv.FormatFloat(x, 'f', -1, 64), "."); ok {
		decimals = len(frac)
	}
	return Number(lang, x, decimals)
}

// Percent formats a rate in [0, 1] as a percentage: 0.985 → 98,5%.
func Percent(lang string, x float64) string { return Points(lang, x*100) + "%" }

// Problem is one line of the validation report.
type Problem struct {
	Where   string
	Message string
}

func Pick(lang, vi, en string) string {
	if lang == EN || vi == "" {
		return en
	}
	return vi
}

// LineWhere locates a YAML problem: its line and node.
func LineWhere(lang string, line int, node string) string {
	var parts []string
	if line > 0 {
		parts = append(parts, T(lang, "criteria.line", line))
	}
	if node != "" {
		parts = append(parts, T(lang, "criteria.node", node))
	}
	return strings.Join(parts, ", ")
}

// CellWhere locates a workbook problem: its sheet, row and column.
func CellWhere(lang string, e parindex.InputError) string {
	var parts []string
	if e.Sheet != "" {
		parts = append(parts, "sheet "+e.Sheet)
	}
	if e.Row > 0 {
		parts = append(parts, T(lang, "criteria.row", e.Row))
	}
	if e.Column != "" {
		parts = append(parts, T(lang, "criteria.column", e.Column))
	}
	return strings.Join(parts, ", ")
}

// PickName is the English name when the reader reads English and there is
// one, else the Vietnamese.
func PickName(lang, vi, en string) string {
	if lang == EN && en != "" {
		return en
	}
	return vi
}
