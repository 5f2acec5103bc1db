package parindex_test

import (
	"errors"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"parindex"
	"parindex/tabular"
)

// decimalText is what a metric value may look like: digits with one
// decimal point or comma and an optional exponent, as spreadsheets and
// JSON write numbers.
var decimalText = regexp.MustCompile(`^[+-]?([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][+-]?[0-9]+)?$`)

// FuzzParseMetricValue checks that an accepted value is a finite number in
// 0..MaxMetricValue written in decimal, that it reads back the same from
// its plain text, and that a refusal says why in both languages.
func FuzzParseMetricValue(f *testing.F) {
	for _, s := range []string{"1234", " 0 ", "1234.5", "12,5", "0,25", "1e3", "1E+15", "1,234", "1.234,5", "-1", "-0", "+7",
		".5", "5.", ",5", "NaN", "Inf", "0x1p4", "1_000", "1e16", "12 hồ sơ", "", "1e-400", "999999999999999.9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ierr := parindex.ParseMetricValue(s)
		if ierr != nil {
			if ierr.VI == "" || ierr.EN == "" {
				t.Fatalf("ParseMetricValue(%q): a refusal without its reason: %+v", s, ierr)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || math.Signbit(v) || v > parindex.MaxMetricValue {
			t.Fatalf("ParseMetricValue(%q) = %v", s, v)
		}
		if !decimalText.MatchString(strings.TrimSpace(s)) {
			t.Fatalf("ParseMetricValue(%q) = %v: not a decimal number as typed in a spreadsheet", s, v)
		}
		if v == 0 && strings.ContainsAny(mantissa(s), "123456789") {
			t.Fatalf("ParseMetricValue(%q) = 0: a number that is not zero read as zero", s)
		}
		plain := strconv.FormatFloat(v, 'f', -1, 64)
		if again, err := parindex.ParseMetricValue(plain); err != nil || again != v {
			t.Fatalf("ParseMetricValue(%q) = %v, but its text %q reads as %v (%v)", s, v, plain, again, err)
		}
	})
}

// mantissa is the digits of a decimal text before its exponent.
func mantissa(s string) string {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return s[:i]
	}
	return s
}

// FuzzParsePeriod checks that an accepted period is the input in its
// canonical form (trimmed, Q in capitals), reads back the same from its
// text, lies in the allowed years and spans its months; a refusal is a
// *PeriodError with both languages.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-03", "2024-02", "2026-Q1", " 2026-q4 ", "2026", "2026-3", "2026/03", "03/2026", "2026-13",
		"2026-00", "2026-Q5", "1999", "2101", "2100-12", "٢٠٢٦", "2026-Q1\n", "\u00a02026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parindex.ParsePeriod(s)
		if err != nil {
			var pe *parindex.PeriodError
			if !errors.As(err, &pe) || pe.Input != s || pe.VI == "" || pe.EN == "" {
				t.Fatalf("ParsePeriod(%q): error %T %v", s, err, err)
			}
			return
		}
		if p.String() != strings.ToUpper(strings.TrimSpace(s)) {
			t.Fatalf("ParsePeriod(%q) = %s", s, p)
		}
		if again, err := parindex.ParsePeriod(p.String()); err != nil || again != p {
			t.Fatalf("ParsePeriod(%q) = %+v, its text %q reads as %+v (%v)", s, p, p, again, err)
		}
		months := map[parindex.PeriodKind]int{parindex.PeriodMonth: 1, parindex.PeriodQuarter: 3, parindex.PeriodYear: 12}[p.Kind]
		ms := p.Months()
		if p.Year < parindex.MinPeriodYear || p.Year > parindex.MaxPeriodYear || months == 0 || len(ms) != months ||
			ms[0].Start() != p.Start() || ms[len(ms)-1].End() != p.End() || p.End().Before(p.Start()) ||
			!p.Contains(ms[0]) || p.VietnameseString() == "" {
			t.Fatalf("ParsePeriod(%q) = %+v: months %v, %s to %s", s, p, ms, p.Start(), p.End())
		}
	})
}

// FuzzOrgImport reads fuzzed organisation files (CSV) as `parindex org
// import` does and plans them against a stored tree. Every problem names
// the file, a data row and one of the columns; a plan without problems
// holds only units that PostgreSQL and SQLite can store and that form a
// tree: valid unique codes, names, known types, dates in order, parents
// and successors that exist, and no cycle.
func FuzzOrgImport(f *testing.F) {
	tree := "code,name,type,parent,valid_from,valid_to,successor\n" +
		"TINH,Tỉnh Minh Giang,province,,2000-01-01,,\n" +
		"SNV,Sở Nội vụ,department,TINH,2000-01-01,,\n" +
		"X-CU,Xã Cũ,commune,TINH,2000-01-01,2025-06-30,P001\n" +
		"P001,Phường Một,ward,TINH,2025-07-01,,\n"
	for _, s := range []string{
		tree,
		"Code;Name;Type;Valid_From\nA;\"Đơn vị; có dấu chấm phẩy\";ward;2026-02-29\n",
		"code,name,type,parent,valid_from\nA,A,ward,B,2000-01-01\nB,B,ward,A,2000-01-01\nA,again,ward,,2000-01-01\n",
		"code,name,type,valid_from,valid_to,successor\nA,A,ward,0000-01-01,,\nB,B,ward,2020-01-01,2019-12-31,B\n",
		"code,name,type,valid_from\n-bad,x,ward,2020-01-01\nG,\x00,planet,20200101\n",
		"code,name,type,valid_from\nA,A,ward,0000-01-01\n",
		"code,name,type\nA,A,ward\n",
		"\"unterminated\n",
	} {
		f.Add(s)
	}
	existing := []*parindex.OrgUnit{
		{ID: 1, Code: "TINH", Name: "Tỉnh", Type: "province", ValidFrom: parindex.Date{Year: 2000, Month: 1, Day: 1}},
		{ID: 2, Code: "SYT", Name: "Sở Y tế", Type: "department", ParentCode: "TINH", ValidFrom: parindex.Date{Year: 2000, Month: 1, Day: 1}},
	}
	known := map[string]bool{"province": true, "department": true, "ward": true, "commune": true}
	if rows, err := orgRows(tree); err != nil {
		f.Fatal(err)
	} else if _, errs := parindex.PlanOrgImport("don-vi.csv", rows, existing, known); len(errs) > 0 {
		f.Fatalf("the valid seed is refused: %v", errs)
	}
	f.Fuzz(func(t *testing.T, data string) {
		rows, err := orgRows(data)
		if err != nil {
			var ie parindex.InputErrors
			if !errors.As(err, &ie) || len(ie) == 0 || ie[0].File != "don-vi.csv" || ie[0].VI == "" {
				t.Fatalf("reading the file: error %T %v", err, err)
			}
			return
		}
		planned, errs := parindex.PlanOrgImport("don-vi.csv", rows, existing, known)
		if len(errs) > 0 {
			for _, e := range errs {
				if e.File != "don-vi.csv" || e.Row < 2 || !slices.Contains(parindex.OrgImportColumns, e.Column) || e.VI == "" || e.EN == "" {
					t.Fatalf("problem without its row, column or text: %+v", e)
				}
			}
			return
		}
		if len(planned) != len(rows) {
			t.Fatalf("%d units planned from %d rows", len(planned), len(rows))
		}
		byCode := map[string]*parindex.OrgUnit{}
		for _, u := range existing {
			byCode[u.Code] = u
		}
		codes := map[string]bool{}
		for _, u := range planned {
			if codes[u.Code] || !parindex.ValidOrgCode(u.Code) || u.Name == "" || strings.ContainsRune(u.Name, 0) || !known[u.Type] {
				t.Fatalf("planned unit %+v", u)
			}
			if u.ValidFrom.Year < 1 || u.ValidFrom.Year > 9999 || (!u.ValidTo.IsZero() && (u.ValidTo.Before(u.ValidFrom) || u.ValidTo.Year > 9999)) {
				t.Fatalf("unit %s valid %s to %s: not dates both databases store", u.Code, u.ValidFrom, u.ValidTo)
			}
			codes[u.Code] = true
			byCode[u.Code] = u
		}
		for _, u := range planned {
			for _, ref := range []string{u.ParentCode, u.SuccessorCode} {
				if ref != "" && (ref == u.Code || byCode[ref] == nil) {
					t.Fatalf("unit %s refers to %q", u.Code, ref)
				}
			}
			for next, steps := u.ParentCode, 0; next != ""; next, steps = byCode[next].ParentCode, steps+1 {
				if steps > len(byCode) {
					t.Fatalf("unit %s: its parents form a cycle", u.Code)
				}
			}
			for next, steps := u.SuccessorCode, 0; next != ""; next, steps = byCode[next].SuccessorCode, steps+1 {
				if steps > len(byCode) {
					t.Fatalf("unit %s: its successors form a cycle", u.Code)
				}
			}
		}
	})
}

// orgRows reads an organisation file as `parindex org import` does.
func orgRows(data string) ([]parindex.OrgRow, error) {
	tab, err := tabular.Read("don-vi.csv", strings.NewReader(data), tabular.Upload)
	if err != nil {
		return nil, err
	}
	cols, err := tab.Columns([]string{"code", "name", "type", "valid_from"}, []string{"parent", "valid_to", "successor"})
	if err != nil {
		return nil, err
	}
	rows := make([]parindex.OrgRow, len(tab.Rows))
	for i, r := range tab.Rows {
		rows[i] = parindex.OrgRow{Row: r.Number, Code: r.Cell(cols, "code"), Name: r.Cell(cols, "name"),
			Type: r.Cell(cols, "type"), Parent: r.Cell(cols, "parent"), ValidFrom: r.Cell(cols, "valid_from"),
			ValidTo: r.Cell(cols, "valid_to"), Successor: r.Cell(cols, "successor")}
	}
	return rows, nil
}
