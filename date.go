package parindex

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"time"
)

// Date is a civil date without time of day or zone: validity dates of
// organisation units and reporting periods are dates, and comparing them as
// instants in some zone invites off-by-one-day errors.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateLayout is the storage and interchange form of a Date (ISO 8601).
const DateLayout = "2006-01-02"

// ParseDate parses yyyy-mm-dd and rejects impossible dates such as
// 2025-02-30, and the year 0000, which PostgreSQL's DATE does not have.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Year() < 1 {
		return Date{}, fmt.Errorf("%q is not a date in the form yyyy-mm-dd", s)
	}
	return DateOf(t), nil
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.time().Before(o.time()) }

// AddDays returns the date n days after d.
func (d Date) AddDays(n int) Date { return DateOf(d.time().AddDate(0, 0, n)) }

// String formats d as yyyy-mm-dd, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	// By hand rather than with time.Format: the store writes a date per row
	// of every batch of survey counts.
	b := make([]byte, 0, 10)
	b = appendDigits(b, d.Year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(d.Month), 2)
	b = append(b, '-')
	b = appendDigits(b, d.Day, 2)
	return string(b)
}

// appendDigits appends n (not negative) with at least width digits.
func appendDigits(b []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// VietnameseString formats d as dd/mm/yyyy, the form Vietnamese users read
// (Clock.FormatDate, for messages built where no clock is at hand).
func (d Date) VietnameseString() string {
	if d.IsZero() {
		return ""
	}
	return d.time().Format(PeopleDateLayout)
}

// Value stores a Date as yyyy-mm-dd text, which PostgreSQL casts to DATE and
// SQLite keeps as text that sorts in date order; the zero Date is NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a DATE from PostgreSQL (time.Time) or SQLite (time.Time or text).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = Date{v.Year(), v.Month(), v.Day()}
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("parindex: cannot scan %T into Date", src)
	}
	return nil
}

func (d *Date) scanText(s string) error {
	if len(s) >= len(DateLayout) {
		s = s[:len(DateLayout)]
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
