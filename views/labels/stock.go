// Package labels renders QR codes for kit asset tags and lays them out on
// printable label sheets (PDF) for the label stocks hubs actually buy.
package labels

import (
	"fmt"
	"strings"
)

// Stock is a kind of label stock hubs print on. All lengths in millimetres.
type Stock struct {
	Code           string  // "L7163", "L7160", "L7651", "DK11209"
	Name           string  // human name, e.g. "Avery L7163 (A4, 14 per sheet, 99.1 × 38.1 mm)"
	PageW, PageH   float64 // page size; A4 = 210 × 297; for the DK-11209 roll, one label per page: 62 × 29
	LabelW, LabelH float64
	Top, Left      float64 // page margins to the first label's top-left corner
	PitchX, PitchY float64 // distance between the top-left corners of neighbouring labels
	Cols, Rows     int
}

// PerPage is the number of label positions on one page (sheet).
func (s Stock) PerPage() int { return s.Cols * s.Rows }

// isRoll reports whether each page is exactly one label, as with die-cut
// thermal rolls, rather than a sheet of several.
func (s Stock) isRoll() bool { return s.PerPage() == 1 && s.PageW == s.LabelW && s.PageH == s.LabelH }

// padding is the inner margin kept free of ink on every label side, so that
// a sheet fed slightly askew never clips the QR code or the text.
func (s Stock) padding() float64 {
	if s.isRoll() {
		// Thermal roll printers register die-cut labels less precisely than a
		// laser printer registers a sheet, so keep a little further in.
		return 2
	}
	return 1.5
}

const a4W, a4H = 210, 297

// Stocks lists the supported label stocks, dimensions from the manufacturers'
// templates.
var Stocks = []Stock{
	{
		Code: "L7163", Name: "Avery L7163 (A4, 14 per sheet, 99.1 × 38.1 mm)",
		PageW: a4W, PageH: a4H, LabelW: 99.1, LabelH: 38.1,
		Top: 15.1, Left: 4.7, PitchX: 101.6, PitchY: 38.1, Cols: 2, Rows: 7,
	},
	{
		Code: "L7160", Name: "Avery L7160 (A4, 21 per sheet, 63.5 × 38.1 mm)",
		PageW: a4W, PageH: a4H, LabelW: 63.5, LabelH: 38.1,
		Top: 15.1, Left: 7.2, PitchX: 66.0, PitchY: 38.1, Cols: 3, Rows: 7,
	},
	{
		Code: "L7651", Name: "Avery L7651 (A4, 65 per sheet, 38.1 × 21.2 mm)",
		PageW: a4W, PageH: a4H, LabelW: 38.1, LabelH: 21.2,
		Top: 10.7, Left: 4.7, PitchX: 40.6, PitchY: 21.2, Cols: 5, Rows: 13,
	},
	{
		// The roll printer treats every die-cut label as its own page.
		Code: "DK11209", Name: "Brother DK-11209 (62 × 29 mm die-cut roll, one label per page)",
		PageW: 62, PageH: 29, LabelW: 62, LabelH: 29,
		PitchX: 62, PitchY: 29, Cols: 1, Rows: 1,
	},
}

// StockByCode finds a stock by its code, ignoring case.
func StockByCode(code string) (Stock, bool) {
	for _, s := range Stocks {
		if strings.EqualFold(s.Code, code) {
			return s, true
		}
	}
	return Stock{}, false
}

// Label is the content of one printed label.
type Label struct {
	URL   string // what the QR code encodes, e.g. "https://kitshelf.example/k/KS-0042"
	Tag   string // asset tag printed large, e.g. "KS-0042"
	Title string // kit type name, e.g. "micro:bit class set (30)"
	Hub   string // hub name
}

// Rect is a label's position on its page, in mm from the page's top-left corner.
type Rect struct {
	Page       int // 0-based
	X, Y, W, H float64
}

// Layout returns where n labels go when printing starts at label position start (1-based, counting
// across then down on the first sheet); later pages start at position 1. Errors for start < 1 or > PerPage, n < 1.
//
// Starting part-way down a sheet lets hubs use up partly printed sheets.
func Layout(s Stock, n, start int) ([]Rect, error) {
	per := s.PerPage()
	switch {
	case s.Cols < 1 || s.Rows < 1 || s.LabelW <= 0 || s.LabelH <= 0:
		return nil, fmt.Errorf("labels: stock %q has no label positions", s.Code)
	case start < 1 || start > per:
		return nil, fmt.Errorf("labels: start position %d is outside 1–%d for %s", start, per, s.Code)
	case n < 1:
		return nil, fmt.Errorf("labels: need at least one label, got %d", n)
	}
	rects := make([]Rect, n)
	for i := range rects {
		rects[i] = s.position(start - 1 + i)
	}
	return rects, nil
}

// position returns the rect of the i-th label position (0-based) counted
// across then down, continuing onto later pages.
func (s Stock) position(i int) Rect {
	per := s.PerPage()
	onPage := i % per
	col, row := onPage%s.Cols, onPage/s.Cols
	return Rect{
		Page: i / per,
		X:    s.Left + float64(col)*s.PitchX,
		Y:    s.Top + float64(row)*s.PitchY,
		W:    s.LabelW,
		H:    s.LabelH,
	}
}
