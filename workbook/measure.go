package workbook

import (
	"math"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Excel does not size rows or columns to their content, and LibreOffice
// does so only for rows it is not told the height of: both are estimated
// here from the text, so that the printed page shows every cell whole. The
// estimate uses Arial's advance widths (LibreOffice prints Arial as the
// metric-compatible Liberation Sans), in thousandths of the font size, and
// errs on the wide side: a row a little too tall costs nothing, one too
// short hides a line.

// arialWidths are Arial's advance widths of printable ASCII (32–126).
var arialWidths = [95]uint16{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space … /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0–9
	278, 278, 584, 584, 584, 556, 1015, // : ; < = > ? @
	667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A–M
	722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N–Z
	278, 278, 278, 469, 556, 333, // [ \ ] ^ _ `
	556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a–m
	556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n–z
	334, 260, 334, 584, // { | } ~
}

// arialBoldWidths are Arial Bold's, where they differ from the regular.
var arialBoldWidths = map[rune]uint16{
	'!': 333, '"': 474, '\'': 238, ':': 333, ';': 333, '?': 611, '@': 975,
	'A': 722, 'B': 722, 'J': 556, 'K': 722, 'L': 611,
	'b': 611, 'c': 556, 'd': 611, 'f': 333, 'g': 611, 'h': 611, 'i': 278, 'j': 278,
	'k': 556, 'l': 278, 'm': 889, 'n': 611, 'o': 611, 'p': 611, 'q': 611, 'r': 389,
	's': 556, 't': 333, 'u': 611, 'v': 556, 'w': 778, 'x': 556, 'y': 556,
	'[': 333, ']': 333, '^': 584, '`': 333, '{': 389, '|': 280, '}': 389,
}

// runeWidth is the advance of r in thousandths of the font size. A
// Vietnamese letter is as wide as its base letter (its marks sit above or
// below it), except the horned ơ and ư, whose horn sticks out to the right.
func runeWidth(r rune, bold bool) float64 {
	switch r {
	case 'đ':
		r = 'd'
	case 'Đ':
		return 722
	case 'ơ', 'ư':
		return runeWidth('o', bold) + 100
	case 'Ơ', 'Ư':
		return runeWidth('O', bold) + 80
	case '–', '−', '÷', '×', '≥', '≤', '±':
		return 584
	case '—', '…', '‰':
		return 1000
	case '·', '•':
		return 350
	case '\u00a0':
		r = ' '
	}
	if r > 0x7e {
		// Decompose: ộ is o with two marks.
		if base := []rune(norm.NFD.String(string(r))); len(base) > 1 && base[0] <= 0x7e {
			w := runeWidth(base[0], bold)
			for _, m := range base[1:] {
				if m == '\u031b' { // horn
					w += 100
				}
			}
			return w
		}
		if unicode.Is(unicode.Mn, r) {
			return 0
		}
		return 1000 // anything else: as wide as a square
	}
	if r < 32 {
		return 0
	}
	if bold {
		if w, ok := arialBoldWidths[r]; ok {
			return float64(w)
		}
	}
	return float64(arialWidths[r-32])
}

// Font is what measuring a text needs to know of its font.
type textFont struct {
	size float64 // points
	bold bool
}

// textWidth is the width of s in points, one line.
func (f textFont) textWidth(s string) float64 {
	var w float64
	for _, r := range s {
		w += runeWidth(r, f.bold)
	}
	// 4% on top: LibreOffice positions glyphs on a device grid, and a line
	// estimated exactly full is sometimes one pixel too long.
	return w * f.size / 1000 * 1.04
}

// lineHeight is the height of one line of text in points: Excel gives a
// line of Arial 10 12.75 points (LibreOffice 11.2).
func (f textFont) lineHeight() float64 { return f.size * 1.275 }

// lines is how many lines s takes when wrapped into a width of points:
// words go on a line while they fit; a word longer than a line is broken
// wherever it reaches the edge, as LibreOffice does.
func (f textFont) lines(s string, width float64) int {
	if width <= 0 {
		width = 1
	}
	n := 0
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		n++
		line := 0.0
		space := f.textWidth(" ")
		for i, word := range strings.Fields(para) {
			ww := f.textWidth(word)
			switch {
			case i == 0 || line == 0:
				line = ww
			case line+space+ww <= width:
				line += space + ww
				continue
			default:
				n++
				line = ww
			}
			for line > width { // a word longer than the line
				n++
				line -= width
			}
		}
	}
	return max(n, 1)
}

// Column widths are stored in digits of the workbook's default font,
// Arial 10: Excel rounds a digit to 7 pixels (5.25 points), LibreOffice
// prints it as 5.55 points. Text is fitted to the narrower, pages to the
// wider; a cell's text starts and ends a little inside its borders.
const (
	pointsPerWidthUnit = 5.25
	pagePointsPerUnit  = 5.6
	cellPadding        = 5 // points lost to the cell's inner margins
)

// widthPoints is a column width in points.
func widthPoints(w float64) float64 { return w * pointsPerWidthUnit }

// widthUnits is the column width whose text area holds points.
func widthUnits(points float64) float64 {
	return math.Ceil((points+cellPadding)/pointsPerWidthUnit*4) / 4
}
