package parindex

import "time"

// Layouts of what people read: dates as dd/mm/yyyy and instants as
// dd/mm/yyyy HH:MM, the forms Vietnamese readers write. Machines get ISO
// dates (Date.String) and RFC 3339 instants instead.
const (
	PeopleDateLayout = "02/01/2006"
	PeopleTimeLayout = "02/01/2006 15:04"
)

// DefaultTimeZone is the province's zone unless configured otherwise.
const DefaultTimeZone = "Asia/Ho_Chi_Minh"

// indochinaTime is what Asia/Ho_Chi_Minh has been since 1975 (UTC+7, no
// daylight saving): the zero Clock's zone, so that the root package stays
// free of the zone database.
var indochinaTime = time.FixedZone("ICT", 7*3600)

// Clock is the one place where instants and dates become text for people
// (web pages, workbooks, CSV downloads, command-line tables): always in the
// province's zone, never UTC, never ISO. It does not read the time; the
// configuration gives it its zone. The zero Clock shows UTC+7.
type Clock struct {
	loc *time.Location
}

// NewClock returns a clock showing times in loc (nil: UTC+7).
func NewClock(loc *time.Location) Clock { return Clock{loc: loc} }

// Location is the zone the clock shows times in.
func (c Clock) Location() *time.Location {
	if c.loc == nil {
		return indochinaTime
	}
	return c.loc
}

// In returns t in the clock's zone, for computing with the local day.
func (c Clock) In(t time.Time) time.Time { return t.In(c.Location()) }

// Today is the civil date of now in the clock's zone.
func (c Clock) Today(now time.Time) Date { return DateOf(c.In(now)) }

// FormatTime shows an instant as dd/mm/yyyy HH:MM in the clock's zone; ""
// for the zero time (no instant).
func (c Clock) FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return c.In(t).Format(PeopleTimeLayout)
}

// FormatDay shows the day of an instant as dd/mm/yyyy in the clock's zone;
// "" for the zero time.
func (c Clock) FormatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return c.In(t).Format(PeopleDateLayout)
}

// FormatTimeOfDay shows an instant as HH:MM:SS in the clock's zone, for a
// moment later the same day (when a login may be tried again).
func (c Clock) FormatTimeOfDay(t time.Time) string { return c.In(t).Format("15:04:05") }

// FormatDate shows a civil date as dd/mm/yyyy; "" for the zero Date. A civil
// date has no zone, so every clock shows it alike (Date.VietnameseString).
func (c Clock) FormatDate(d Date) string { return d.VietnameseString() }
