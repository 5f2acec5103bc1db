package criteriaxlsx_test

import (
	"bytes"
	"testing"

	"parindex/criteria"
	"parindex/criteriaxlsx"
	"parindex/tabular/tabulartest"
)

// FuzzRead feeds arbitrary bytes to Read, seeded with the workbooks written
// from the reference frameworks. See checkRead for what must hold.
func FuzzRead(f *testing.F) {
	for _, code := range criteria.References() {
		fw, err := criteria.Reference(code)
		if err != nil {
			f.Fatal(err)
		}
		data, err := criteriaxlsx.Bytes(fw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("code,name\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data)
	})
}

// FuzzReadCells writes a fuzzed text or number into one cell of a valid
// workbook (the reference service-index-766), as a person editing it in
// Excel would, and reads it back. See checkRead for what must hold.
func FuzzReadCells(f *testing.F) {
	fw, err := criteria.Reference("service-index-766")
	if err != nil {
		f.Fatal(err)
	}
	base, err := criteriaxlsx.Bytes(fw)
	if err != nil {
		f.Fatal(err)
	}
	sheets := []string{criteriaxlsx.SheetFramework, criteriaxlsx.SheetBands, criteriaxlsx.SheetNodes}
	// sheet, row and column pick the cell (taken modulo the sheet's size
	// plus one, so that a cell beside the table is reached too); number
	// writes the value as a number cell when it reads as one.
	f.Add(uint8(0), uint8(4), uint8(1), "hai nghìn", false)     // year
	f.Add(uint8(0), uint8(9), uint8(1), "sometimes", false)     // missing policy
	f.Add(uint8(0), uint8(8), uint8(1), "1e308", true)          // cap_index
	f.Add(uint8(1), uint8(1), uint8(3), "80,5", false)          // a band's min with a decimal comma
	f.Add(uint8(1), uint8(2), uint8(3), "-0", true)             // a band's min
	f.Add(uint8(2), uint8(2), uint8(5), "NaN", false)           // a node's max
	f.Add(uint8(2), uint8(3), uint8(6), "vote", false)          // a method
	f.Add(uint8(2), uint8(4), uint8(11), "1: 2; 0,5: 1", false) // tiers
	f.Add(uint8(2), uint8(5), uint8(1), "1", false)             // a parent
	f.Add(uint8(2), uint8(6), uint8(0), "1.1", false)           // a duplicate code
	f.Add(uint8(2), uint8(7), uint8(12), "max * (", false)      // a formula
	f.Add(uint8(2), uint8(0), uint8(22), "Ghi chú (note)", false)
	f.Add(uint8(2), uint8(0), uint8(1), "", false)
	f.Fuzz(func(t *testing.T, sheet, row, col uint8, value string, number bool) {
		data, set := tabulartest.EditCell(t, base, sheets, sheet, row, col, value, number)
		if !set {
			return // excelize refuses the value (too long a text): nothing new to read
		}
		checkRead(t, data)
	})
}

// checkRead reads data as a framework workbook. A refusal must be
// parindex.InputErrors, each naming the file, in both languages, and for a
// cell its sheet. An accepted framework must be valid, survive the YAML
// canonical form, and be written and read back as the same framework.
func checkRead(t *testing.T, data []byte) {
	t.Helper()
	fw, warnings, err := criteriaxlsx.Read("fuzz.xlsx", bytes.NewReader(data))
	if err != nil {
		for _, e := range tabulartest.CheckInputErrors(t, "fuzz.xlsx", err) {
			if e.Row > 0 && e.Sheet == "" {
				t.Fatalf("problem without its sheet: %+v", e)
			}
		}
		return
	}
	if err := criteria.Validate(fw); err != nil {
		t.Fatalf("Read accepted an invalid framework: %v", err)
	}
	for _, w := range warnings {
		if w.File != "fuzz.xlsx" || w.Line < 2 {
			t.Fatalf("warning without its row: %+v", w)
		}
	}
	yaml, err := criteria.Marshal(fw)
	if err != nil {
		t.Fatalf("Marshal of an accepted framework: %v", err)
	}
	again, _, err := criteria.Parse("canonical.yaml", yaml)
	if err != nil {
		t.Fatalf("the canonical form of an accepted framework does not parse: %v\n%s", err, yaml)
	}
	if again.Hash() != fw.Hash() {
		t.Fatalf("the YAML round trip changed the framework\n%s", yaml)
	}
	out, err := criteriaxlsx.Bytes(fw)
	if err != nil {
		t.Fatalf("Bytes of an accepted framework: %v", err)
	}
	back, _, err := criteriaxlsx.Read("again.xlsx", bytes.NewReader(out))
	if err != nil {
		t.Fatalf("an accepted framework, written again, is refused: %v\n%s", err, yaml)
	}
	if back.Hash() != fw.Hash() {
		again, _ := criteria.Marshal(back)
		t.Fatalf("the workbook round trip changed the framework\n%s\n---\n%s", yaml, again)
	}
}
