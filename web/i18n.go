package web

import (
	"time"

	"parindex/i18n"
	"parindex/vn"
)

// Languages of the pages: those of the catalogue (package i18n).
const (
	langVI = i18n.VI
	langEN = i18n.EN
)

// translate is i18n.T, the one catalogue of messages (i18n/locales), under
// the name the handlers of this package use.
func translate(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// vietnamTime is the zone the survey and the store count days in (UTC+7,
// no daylight saving): "today" for counts, deadlines and validity must be the
// day those packages stored. How times are shown to people is s.clock's
// business (PARINDEX_TIME_ZONE), not this.
var vietnamTime = time.FixedZone("ICT", 7*3600)

// formatNumber is vn.FormatNumber for the pages of this package.
func formatNumber(lang string, x float64, decimals int) string {
	return vn.FormatNumber(lang, x, decimals)
}
