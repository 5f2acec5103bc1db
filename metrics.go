package parindex

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Operational metrics: counts per unit and period (records received,
// handled on time, submitted online, digitised, …) fed by the one-stop-shop
// system through the API, by spreadsheet import, or by the agency itself.
// Ratio, tier and count criteria read them.

// Combine says how a metric's values over shorter periods make the value of
// a longer one: the year from its quarters, a quarter from its months.
type Combine string

const (
	CombineSum  Combine = "sum"  // flows: records received, handled, submitted online
	CombineLast Combine = "last" // stocks: procedures offered, staff at the end of the period
	CombineMean Combine = "mean" // levels: an average over the period
)

// Combines lists the rules in display order.
var Combines = []Combine{CombineSum, CombineLast, CombineMean}

// Valid reports whether c is a known rule.
func (c Combine) Valid() bool { return slices.Contains(Combines, c) }

// Observation sources: who put a value in.
const (
	MetricSourceAPI    = "api"    // the one-stop-shop system (or another system) through /api/v1
	MetricSourceImport = "import" // a CSV or Excel file imported by DoHA
	MetricSourceAgency = "agency" // entered by the agency for itself (self-reported metrics only)
	MetricSourceDemo   = "demo"   // the fictional demo province
)

// MetricSources lists every source.
var MetricSources = []string{MetricSourceAPI, MetricSourceImport, MetricSourceAgency, MetricSourceDemo}

// Metric is one entry of the metrics catalogue.
type Metric struct {
	Code        string // snake_case, as frameworks name it
	NameVI      string
	NameEN      string
	Unit        string // Vietnamese unit of count ("hồ sơ", "thủ tục", …)
	Description string
	Combine     Combine
	// SelfReport says whether an agency may enter the metric for itself;
	// one-stop-shop figures come from the system and may not be.
	SelfReport bool
	SortOrder  int
}

// metricCode is the form of a metric code; the criteria package accepts the
// same names in frameworks.
var metricCode = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ValidMetricCode reports whether s can name a metric: lower-case letters,
// digits and underscores, starting with a letter, at most 64 characters.
func ValidMetricCode(s string) bool { return len(s) <= 64 && metricCode.MatchString(s) }

// PeriodKind is the length of a reporting period.
type PeriodKind string

const (
	PeriodMonth   PeriodKind = "month"
	PeriodQuarter PeriodKind = "quarter"
	PeriodYear    PeriodKind = "year"
)

// Period is a month, a quarter or a calendar year. Its text form, used in
// files, the API and the database, is 2026-03 (March 2026), 2026-Q1 (first
// quarter) or 2026 (the year).
type Period struct {
	Year  int
	Kind  PeriodKind
	Index int // month 1..12 or quarter 1..4; 0 for a year
}

// Years a period may name: wide enough for history, narrow enough to catch typos.
const (
	MinPeriodYear = 2000
	MaxPeriodYear = 2100
)

// PeriodError says why a text is not a period, in both languages.
type PeriodError struct {
	Input, VI, EN string
}

func (e *PeriodError) Error() string { return e.VI + " (" + e.EN + ")" }

var periodPattern = regexp.MustCompile(`^(\d{4})(?:-(?:(\d{2})|[Qq]([1-4])))?$`)

// ParsePeriod reads 2026-03, 2026-Q1 or 2026: the one place periods are
// parsed. Surrounding spaces are ignored and q may be lower case; anything
// else (2026-3, 2026/03, 03/2026, 2026-13) is refused with the allowed forms.
func ParsePeriod(s string) (Period, error) {
	in := strings.TrimSpace(s)
	bad := func(vi, en string) (Period, error) {
		return Period{}, &PeriodError{Input: s, VI: vi, EN: en}
	}
	m := periodPattern.FindStringSubmatch(in)
	if m == nil {
		return bad(fmt.Sprintf("kỳ %q không hợp lệ: dùng dạng 2026-03 (tháng), 2026-Q1 (quý) hoặc 2026 (năm)", s),
			fmt.Sprintf("period %q is not valid: use 2026-03 (month), 2026-Q1 (quarter) or 2026 (year)", s))
	}
	year, _ := strconv.Atoi(m[1])
	if year < MinPeriodYear || year > MaxPeriodYear {
		return bad(fmt.Sprintf("năm %d nằm ngoài khoảng %d–%d", year, MinPeriodYear, MaxPeriodYear),
			fmt.Sprintf("year %d is outside %d–%d", year, MinPeriodYear, MaxPeriodYear))
	}
	switch {
	case m[2] != "":
		month, _ := strconv.Atoi(m[2])
		if month < 1 || month > 12 {
			return bad(fmt.Sprintf("tháng %q không hợp lệ: từ 01 đến 12", m[2]), fmt.Sprintf("month %q is not 01..12", m[2]))
		}
		return MonthPeriod(year, time.Month(month)), nil
	case m[3] != "":
		q, _ := strconv.Atoi(m[3])
		return QuarterPeriod(year, q), nil
	}
	return YearPeriod(year), nil
}

// MonthPeriod, QuarterPeriod and YearPeriod build periods.
func MonthPeriod(year int, m time.Month) Period { return Period{year, PeriodMonth, int(m)} }

// QuarterPeriod is quarter q (1..4) of the year.
func QuarterPeriod(year, q int) Period { return Period{year, PeriodQuarter, q} }

// YearPeriod is the calendar year.
func YearPeriod(year int) Period { return Period{Year: year, Kind: PeriodYear} }

// IsZero reports whether p is no period.
func (p Period) IsZero() bool { return p == Period{} }

// String writes the period's text form.
func (p Period) String() string {
	switch p.Kind {
	case PeriodMonth:
		return fmt.Sprintf("%04d-%02d", p.Year, p.Index)
	case PeriodQuarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.Index)
	case PeriodYear:
		return fmt.Sprintf("%04d", p.Year)
	}
	return ""
}

// VietnameseString names the period as Vietnamese readers write it:
// "tháng 03/2026", "quý I/2026", "năm 2026".
func (p Period) VietnameseString() string {
	switch p.Kind {
	case PeriodMonth:
		return fmt.Sprintf("tháng %02d/%d", p.Index, p.Year)
	case PeriodQuarter:
		return fmt.Sprintf("quý %s/%d", []string{"", "I", "II", "III", "IV"}[p.Index], p.Year)
	case PeriodYear:
		return fmt.Sprintf("năm %d", p.Year)
	}
	return ""
}

// Start is the first day of the period.
func (p Period) Start() Date {
	switch p.Kind {
	case PeriodMonth:
		return Date{p.Year, time.Month(p.Index), 1}
	case PeriodQuarter:
		return Date{p.Year, time.Month(3*p.Index - 2), 1}
	}
	return Date{p.Year, time.January, 1}
}

// End is the last day of the period.
func (p Period) End() Date {
	switch p.Kind {
	case PeriodMonth:
		return DateOf(Date{p.Year, time.Month(p.Index), 1}.time().AddDate(0, 1, -1))
	case PeriodQuarter:
		return DateOf(Date{p.Year, time.Month(3 * p.Index), 1}.time().AddDate(0, 1, -1))
	}
	return Date{p.Year, time.December, 31}
}

// Months lists the months of the period in order.
func (p Period) Months() []Period {
	switch p.Kind {
	case PeriodMonth:
		return []Period{p}
	case PeriodQuarter:
		return []Period{MonthPeriod(p.Year, time.Month(3*p.Index-2)), MonthPeriod(p.Year, time.Month(3*p.Index-1)), MonthPeriod(p.Year, time.Month(3*p.Index))}
	}
	out := make([]Period, 12)
	for i := range out {
		out[i] = MonthPeriod(p.Year, time.Month(i+1))
	}
	return out
}

// Quarters lists the quarters of a year (the quarter itself for a quarter,
// nothing for a month).
func (p Period) Quarters() []Period {
	switch p.Kind {
	case PeriodYear:
		return []Period{QuarterPeriod(p.Year, 1), QuarterPeriod(p.Year, 2), QuarterPeriod(p.Year, 3), QuarterPeriod(p.Year, 4)}
	case PeriodQuarter:
		return []Period{p}
	}
	return nil
}

// Contains reports whether q lies within p (a period contains itself).
func (p Period) Contains(q Period) bool {
	return !q.Start().Before(p.Start()) && !p.End().Before(q.End())
}

// Overlaps reports whether the period shares a day with the validity of a
// unit (from, to inclusive; a zero to is open).
func (p Period) Overlaps(from, to Date) bool {
	if !from.IsZero() && p.End().Before(from) {
		return false
	}
	return to.IsZero() || !to.Before(p.Start())
}

// Before orders periods by start, then shorter first.
func (p Period) Before(q Period) bool {
	if a, b := p.Start(), q.Start(); a != b {
		return a.Before(b)
	}
	return p.End().Before(q.End())
}

// MetricValue is a metric's value for one unit and period: given as such,
// or derived from the values of shorter periods by the metric's rule.
type MetricValue struct {
	Value   float64
	Derived bool // false: reported for exactly this period
	// Parts is how many reported values went into a derived value (1 when
	// given): a year derived from 7 months says so.
	Parts int
}

// DeriveValue returns the value of period p from the values reported for
// it and the periods inside it (keyed by period; other periods are
// ignored). A value reported for p itself wins. Otherwise a quarter combines
// its months and a year combines its quarters, each quarter being its own
// reported value or else the combination of its months: so a unit that
// reports monthly, or quarterly, or a mix, gets one yearly figure. Periods
// without data are left out (a sum over 7 reported months is the sum of
// those 7). ok is false when nothing inside p was reported.
func DeriveValue(rule Combine, p Period, reported map[Period]float64) (MetricValue, bool) {
	if v, ok := reported[p]; ok {
		return MetricValue{Value: v, Parts: 1}, true
	}
	var parts []MetricValue
	switch p.Kind {
	case PeriodYear:
		for _, q := range p.Quarters() {
			if v, ok := DeriveValue(rule, q, reported); ok {
				parts = append(parts, v)
			}
		}
	case PeriodQuarter:
		for _, m := range p.Months() {
			if v, ok := reported[m]; ok {
				parts = append(parts, MetricValue{Value: v, Parts: 1})
			}
		}
	}
	if len(parts) == 0 {
		return MetricValue{}, false
	}
	out := MetricValue{Derived: true}
	for _, x := range parts {
		out.Parts += x.Parts
	}
	switch rule {
	case CombineLast:
		out.Value = parts[len(parts)-1].Value
	case CombineMean:
		var sum float64
		for _, x := range parts {
			sum += x.Value
		}
		out.Value = sum / float64(len(parts))
	default:
		for _, x := range parts {
			out.Value += x.Value
		}
	}
	return out, true
}

// Observation is one reported value: (unit, period, metric) → value, with
// where it came from. The current value of a key is the latest observation;
// corrections keep the earlier ones as history.
type Observation struct {
	UnitID     int64
	UnitCode   string
	Period     Period
	Metric     string
	Value      float64
	Source     string
	RecordedAt time.Time
	RecordedBy string
	// SupersededAt and SupersededBy are set on history rows: when and by
	// whom the value was replaced.
	SupersededAt time.Time
	SupersededBy string
}

// Key identifies the observation's (unit, period, metric).
func (o *Observation) Key() string { return o.UnitCode + "/" + o.Period.String() + "/" + o.Metric }

// ObservationRow is one observation as typed into a file or sent to the
// API, not yet checked. Row locates it: the spreadsheet row, or the item's
// index + 1 in an API batch.
type ObservationRow struct {
	Row    int
	Unit   string
	Period string
	Metric string
	Value  string
}

// ObservationColumns are the columns of a metrics file, in template order.
var ObservationColumns = []string{"unit", "period", "metric", "value"}

// MaxMetricValue bounds a value: larger numbers are typing mistakes (the
// province's whole budget in đồng is below it).
const MaxMetricValue = 1e15

// ParseMetricValue reads a number as typed in a spreadsheet or sent in
// JSON: 1234, 1234.5, 12,5 (a decimal comma, as Vietnamese Excel writes
// it). A comma followed by exactly three digits (1,234) is refused, since it
// may be a thousands separator; so are negative numbers.
func ParseMetricValue(s string) (float64, *InputError) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, &InputError{VI: "thiếu giá trị", EN: "value is required"}
	}
	if strings.Contains(t, ",") {
		intPart, frac, _ := strings.Cut(t, ",")
		if strings.ContainsAny(frac, ",.") || strings.Contains(intPart, ".") || len(frac) == 3 {
			return 0, &InputError{VI: fmt.Sprintf("giá trị %q không rõ ràng: không dùng dấu phân cách hàng nghìn; phần thập phân dùng dấu chấm (1234.5)", s),
				EN: fmt.Sprintf("value %q is ambiguous: no thousands separators; use a decimal point (1234.5)", s)}
		}
		t = intPart + "." + frac
	}
	// strconv also reads Go's forms (0x1p4, 1_000), which no spreadsheet
	// writes: 1_000 must not pass where 1,000 is refused.
	notDecimal := strings.ContainsFunc(t, func(r rune) bool { return !strings.ContainsRune("0123456789.eE+-", r) })
	v, err := strconv.ParseFloat(t, 64)
	// Beyond a float64's range ParseFloat answers ±Inf with an error: the
	// checks below call it negative or too large, not "not a number".
	if notDecimal || math.IsNaN(v) || (err != nil && !math.IsInf(v, 0)) {
		return 0, &InputError{VI: fmt.Sprintf("giá trị %q không phải là số", s), EN: fmt.Sprintf("value %q is not a number", s)}
	}
	// Below a float64's smallest number ParseFloat answers 0 without an
	// error: 1.5e-400 would be stored as 0.
	if mantissa, _, _ := strings.Cut(strings.ToLower(t), "e"); v == 0 && strings.ContainsAny(mantissa, "123456789") {
		return 0, &InputError{VI: fmt.Sprintf("giá trị %s quá nhỏ, sẽ thành 0 khi lưu; hãy ghi 0 nếu giá trị là 0", t),
			EN: fmt.Sprintf("value %s is too small to store (it would become 0); write 0 if it is 0", t)}
	}
	if v < 0 {
		return 0, &InputError{VI: fmt.Sprintf("giá trị %s âm: số liệu không được âm", t), EN: fmt.Sprintf("value %s is negative", t)}
	}
	if v > MaxMetricValue {
		return 0, &InputError{VI: fmt.Sprintf("giá trị %s quá lớn (tối đa %g)", t, MaxMetricValue), EN: fmt.Sprintf("value %s is too large (at most %g)", t, MaxMetricValue)}
	}
	if v == 0 {
		v = 0 // -0 would be shown as "-0"
	}
	return v, nil
}

// PlanObservations checks rows against the catalogue and the units and
// returns them as observations from source, or every problem found; the
// caller writes nothing when there is any. today is the province's date:
// a period that has not started yet is refused. A row's unit must exist
// during the period (a commune created on 1 July 2025 has no figures for
// March 2025: those belong to the communes it replaced), an agency may
// enter only self-reported metrics, and one file or batch may not give a
// (unit, period, metric) twice.
func PlanObservations(file, sheet string, rows []ObservationRow, catalog map[string]*Metric, units map[string]*OrgUnit, source string, today Date) ([]Observation, InputErrors) {
	var errs InputErrors
	add := func(r ObservationRow, column, vi, en string) {
		errs = append(errs, InputError{File: file, Sheet: sheet, Row: r.Row, Column: column, VI: vi, EN: en})
	}
	if !slices.Contains(MetricSources, source) {
		errs = append(errs, InputError{File: file, VI: fmt.Sprintf("nguồn %q không hợp lệ", source), EN: fmt.Sprintf("unknown source %q", source)})
		return nil, errs
	}
	seen := map[string]int{}
	out := make([]Observation, 0, len(rows))
	for _, r := range rows {
		bad := false
		code := strings.TrimSpace(r.Unit)
		unit := units[code]
		if code == "" {
			add(r, "unit", "thiếu mã đơn vị", "unit code is required")
			bad = true
		} else if unit == nil {
			add(r, "unit", fmt.Sprintf("không có đơn vị mã %q", code), fmt.Sprintf("no unit with code %q", code))
			bad = true
		}
		p, err := ParsePeriod(r.Period)
		if err != nil {
			pe := err.(*PeriodError)
			add(r, "period", pe.VI, pe.EN)
			bad = true
		} else {
			if today.Before(p.Start()) {
				add(r, "period", fmt.Sprintf("kỳ %s chưa bắt đầu", p), fmt.Sprintf("period %s has not started yet", p))
				bad = true
			}
			if unit != nil && !p.Overlaps(unit.ValidFrom, unit.ValidTo) {
				to := "nay"
				if !unit.ValidTo.IsZero() {
					to = unit.ValidTo.VietnameseString()
				}
				add(r, "period", fmt.Sprintf("đơn vị %s không tồn tại trong kỳ %s (hiệu lực từ %s đến %s)", unit.Code, p, unit.ValidFrom.VietnameseString(), to),
					fmt.Sprintf("unit %s did not exist in period %s (valid %s to %s)", unit.Code, p, unit.ValidFrom, orOpen(unit.ValidTo)))
				bad = true
			}
		}
		metricCode := strings.TrimSpace(r.Metric)
		m := catalog[metricCode]
		switch {
		case metricCode == "":
			add(r, "metric", "thiếu mã chỉ số", "metric code is required")
			bad = true
		case m == nil:
			add(r, "metric", fmt.Sprintf("chỉ số %q không có trong danh mục", metricCode), fmt.Sprintf("metric %q is not in the catalogue", metricCode))
			bad = true
		case source == MetricSourceAgency && !m.SelfReport:
			add(r, "metric", fmt.Sprintf("chỉ số %s lấy từ hệ thống một cửa, đơn vị không tự nhập", metricCode),
				fmt.Sprintf("metric %s comes from the one-stop-shop system; agencies may not enter it", metricCode))
			bad = true
		}
		v, verr := ParseMetricValue(r.Value)
		if verr != nil {
			add(r, "value", verr.VI, verr.EN)
			bad = true
		}
		if bad {
			continue
		}
		o := Observation{UnitID: unit.ID, UnitCode: unit.Code, Period: p, Metric: metricCode, Value: v, Source: source}
		if first, dup := seen[o.Key()]; dup {
			add(r, "metric", fmt.Sprintf("trùng với dòng %d (cùng đơn vị, kỳ và chỉ số)", first),
				fmt.Sprintf("duplicates row %d (same unit, period and metric)", first))
			continue
		}
		seen[o.Key()] = r.Row
		out = append(out, o)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func orOpen(d Date) string {
	if d.IsZero() {
		return "now"
	}
	return d.String()
}

// Roles held only by API tokens, never by staff accounts (they are not in
// Roles, and the user_roles table refuses them). A token's one grant names
// its unit, or no unit for a token that reaches every unit.
const (
	RoleAPIRead  = "api_read"  // read units, frameworks, metrics and survey results
	RoleAPIWrite = "api_write" // as api_read, and send metrics
)

// APIToken is a credential of another system (the one-stop-shop system, a
// dashboard) for /api/v1. The secret is shown once at creation; only its
// SHA-256 hash is stored.
type APIToken struct {
	ID         int64
	Name       string
	Prefix     string // the first characters of the secret, to recognise it in lists
	UnitID     int64  // 0: every unit
	UnitCode   string
	UnitName   string
	CanWrite   bool
	CreatedAt  time.Time
	CreatedBy  string
	RevokedAt  time.Time // zero: active
	RevokedBy  string
	LastUsedAt time.Time // zero: never used; updated at most once a minute
}

// Active reports whether the token may still be used.
func (t *APIToken) Active() bool { return t.RevokedAt.IsZero() }

// ActorName is how the token appears in audit rows and observations.
func (t *APIToken) ActorName() string { return fmt.Sprintf("api:%s#%d", t.Name, t.ID) }

// User is the token as the authorisation policy sees it: a user with one
// token grant, so parindex.Can decides for tokens as for people.
func (t *APIToken) User() *User {
	role := RoleAPIRead
	if t.CanWrite {
		role = RoleAPIWrite
	}
	return &User{ID: -t.ID, Username: t.ActorName(), DisplayName: t.Name, Disabled: !t.Active(),
		Grants: []RoleGrant{{Role: role, UnitID: t.UnitID, UnitCode: t.UnitCode, UnitName: t.UnitName}}}
}
