// Command printcheck inspects workbooks printed to PDF by LibreOffice, as
// `make verify-xlsx` produces them: for each FILE.xlsx of the workbook
// directory and its FILE.pdf, it reads the PDF's words with their boxes
// (poppler's `pdftotext -bbox-layout`) and fails when
//
//   - two words' boxes on a page overlap (text run into a neighbouring cell
//     or row),
//   - a word is printed smaller than 8 pt (a sheet scaled down too far, a
//     small footer),
//   - a word of a cell's text is not printed (cut at a cell's edge, or a
//     number shown as ###),
//   - the page count is outside the bounds expected of the workbook's kind.
//
// Usage: printcheck XLSX_DIR PDF_DIR
package main

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// pageBounds are the page counts expected of each kind of workbook, by
// the start of its file name.
var pageBounds = []struct {
	prefix   string
	min, max int
}{
	{"Phiếu điểm CCHC", 4, 14}, // summary on one page, detail, survey, method
	{"Xếp hạng CCHC", 1, 8},    // one sheet per type of unit
	// units, charts, and a row per unit and question (the demo province:
	// 93 units × 22 questions, each naming its element)
	{"Kết quả khảo sát", 2, 100},
	{"Phiếu khảo sát", 1, 400}, // raw responses, a sample of them
}

// minSize is the smallest font size allowed on paper, in points.
const minSize = 8.0

// heightPerPoint is how tall pdftotext's box of a word is per point of its
// font size, as LibreOffice prints Liberation Sans: 1.3, while the lines of
// a paragraph are 1.12 apart. The top 15 % of a box (room for the marks
// above Vietnamese capitals) is left out of the overlap test, so that the
// lines of one wrapped cell do not count as overlapping.
const (
	heightPerPoint = 1.3
	accentShare    = 0.15
)

type word struct {
	XMin float64 `xml:"xMin,attr"`
	YMin float64 `xml:"yMin,attr"`
	XMax float64 `xml:"xMax,attr"`
	YMax float64 `xml:"yMax,attr"`
	Text string  `xml:",chardata"`
}

type page struct {
	Words []word
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: printcheck XLSX_DIR PDF_DIR")
		os.Exit(2)
	}
	files, _ := filepath.Glob(filepath.Join(os.Args[1], "*.xlsx"))
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "printcheck: no workbook in", os.Args[1])
		os.Exit(1)
	}
	failed := false
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".xlsx")
		problems, pages, err := check(f, filepath.Join(os.Args[2], name+".pdf"))
		if err != nil {
			problems = append(problems, err.Error())
		}
		if len(problems) == 0 {
			fmt.Printf("printcheck: ok  %s (%d pages)\n", name, pages)
			continue
		}
		failed = true
		word := "problems"
		if len(problems) == 1 {
			word = "problem"
		}
		fmt.Printf("printcheck: FAILED %s (%d pages): %d %s\n", name, pages, len(problems), word)
		for i, p := range problems {
			if i == 40 {
				fmt.Printf("  … and %d more\n", len(problems)-i)
				break
			}
			fmt.Println("  " + p)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(xlsxPath, pdfPath string) ([]string, int, error) {
	pages, err := readPDF(pdfPath)
	if err != nil {
		return nil, 0, err
	}
	var problems []string
	printed := map[string]bool{}
	for n, p := range pages {
		for _, w := range p.Words {
			printed[w.Text] = true
			if h := w.YMax - w.YMin; h < minSize*heightPerPoint-0.1 {
				problems = append(problems, fmt.Sprintf("page %d: %q printed at %.1f pt (less than %.0f pt)", n+1, w.Text, h/heightPerPoint, minSize))
			}
			if strings.Trim(w.Text, "#") == "" {
				problems = append(problems, fmt.Sprintf("page %d: a number too wide for its column (%s)", n+1, w.Text))
			}
		}
		problems = append(problems, overlaps(n+1, p.Words)...)
	}
	base := filepath.Base(xlsxPath)
	for _, b := range pageBounds {
		if strings.HasPrefix(base, b.prefix) && (len(pages) < b.min || len(pages) > b.max) {
			problems = append(problems, fmt.Sprintf("%d pages, expected %d to %d", len(pages), b.min, b.max))
		}
	}
	missing, err := missingCells(xlsxPath, printed)
	if err != nil {
		return nil, len(pages), err
	}
	return append(problems, missing...), len(pages), nil
}

// readPDF reads the words of every page with their boxes, in points from
// the top left.
func readPDF(path string) ([]page, error) {
	out, err := exec.Command("pdftotext", "-bbox-layout", path, "-").Output()
	if err != nil {
		return nil, fmt.Errorf("pdftotext %s: %w", filepath.Base(path), err)
	}
	d := xml.NewDecoder(strings.NewReader(string(out)))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var pages []page
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("pdftotext %s: %w", filepath.Base(path), err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "page":
			pages = append(pages, page{})
		case "word":
			var w word
			if err := d.DecodeElement(&w, &se); err != nil {
				return nil, err
			}
			if len(pages) > 0 {
				pages[len(pages)-1].Words = append(pages[len(pages)-1].Words, w)
			}
		}
	}
	return pages, nil
}

// overlaps lists the pairs of words whose boxes overlap by more than a
// rounding margin; the boxes of the lines of one paragraph touch.
func overlaps(n int, words []word) []string {
	const margin = 0.6
	ws := make([]word, 0, len(words))
	for _, w := range words {
		w.YMin += (w.YMax - w.YMin) * accentShare
		ws = append(ws, w)
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].YMin < ws[j].YMin })
	var out []string
	for i := range ws {
		for j := i + 1; j < len(ws) && ws[j].YMin < ws[i].YMax-margin; j++ {
			a, b := ws[i], ws[j]
			if min(a.XMax, b.XMax)-max(a.XMin, b.XMin) > margin && min(a.YMax, b.YMax)-max(a.YMin, b.YMin) > margin {
				out = append(out, fmt.Sprintf("page %d: %q and %q overlap at (%.0f, %.0f)", n, a.Text, b.Text, a.XMin, a.YMin))
			}
		}
	}
	return out
}

// missingCells lists the cells of the workbook's visible sheets whose
// words are not all printed.
func missingCells(path string, printed map[string]bool) ([]string, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	for _, sheet := range f.GetSheetList() {
		if visible, _ := f.GetSheetVisible(sheet); !visible {
			continue
		}
		rows, err := f.GetRows(sheet)
		if err != nil {
			return nil, err
		}
		for r, cells := range rows {
			for c, text := range cells {
				for _, w := range strings.Fields(text) {
					if !printed[w] && !printed[lenient(w)] {
						cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
						out = append(out, fmt.Sprintf("sheet %s cell %s: %q is not printed whole (%q missing)", sheet, cell, short(text), w))
						break
					}
				}
			}
		}
	}
	return out, nil
}

// lenient is a word as a number format may print it differently in the
// reader's locale: excelize writes 1234.5 where LibreOffice prints 1,234.5.
func lenient(w string) string {
	if x, err := strconv.ParseFloat(w, 64); err == nil {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return w
}

func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
