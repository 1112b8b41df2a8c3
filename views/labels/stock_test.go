package labels

import (
	"math"
	"testing"
)

// published restates the manufacturers' template dimensions (mm) so the tests
// check the code against the paper, not against itself.
type published struct {
	code                  string
	pageW, pageH          float64
	w, h                  float64
	top, left             float64
	pitchX, pitchY        float64
	cols, rows            int
	minQR                 float64 // smallest acceptable QR width, quiet zone included
	startAt, n, wantPages int     // a print job that starts part-way and spills onto a later page
	wantOnFirstPage       int
}

var publishedStocks = []published{
	{"L7163", 210, 297, 99.1, 38.1, 15.1, 4.7, 101.6, 38.1, 2, 7, 15, 10, 8, 2, 5},
	{"L7160", 210, 297, 63.5, 38.1, 15.1, 7.2, 66.0, 38.1, 3, 7, 15, 19, 6, 2, 3},
	// 21.2 mm tall: the largest square inside 1.5 mm padding is 18.2 mm.
	{"L7651", 210, 297, 38.1, 21.2, 10.7, 4.7, 40.6, 21.2, 5, 13, 18, 60, 10, 2, 6},
	// Roll: one label per page, so three labels are three pages.
	{"DK11209", 62, 29, 62, 29, 0, 0, 62, 29, 1, 1, 15, 1, 3, 3, 1},
}

// label returns the expected page and rect of position pos (0-based,
// counting across then down, continuing onto later pages).
func (p published) label(pos int) Rect {
	per := p.cols * p.rows
	col, row := pos%per%p.cols, pos%per/p.cols
	return Rect{Page: pos / per, X: p.left + float64(col)*p.pitchX, Y: p.top + float64(row)*p.pitchY, W: p.w, H: p.h}
}

func (p published) stock(t *testing.T) Stock {
	t.Helper()
	s, ok := StockByCode(p.code)
	if !ok {
		t.Fatalf("StockByCode(%q) not found", p.code)
	}
	return s
}

// near reports whether two lengths in mm agree within the 0.2 mm tolerance.
func near(a, b float64) bool { return math.Abs(a-b) <= 0.2 }

func rectNear(a, b Rect) bool {
	return a.Page == b.Page && near(a.X, b.X) && near(a.Y, b.Y) && near(a.W, b.W) && near(a.H, b.H)
}

func TestStocksMatchPublishedDimensions(t *testing.T) {
	if len(Stocks) != len(publishedStocks) {
		t.Fatalf("%d stocks, want %d", len(Stocks), len(publishedStocks))
	}
	for i, p := range publishedStocks {
		s := Stocks[i]
		if s.Code != p.code {
			t.Errorf("Stocks[%d].Code = %q, want %q (order matters for the UI)", i, s.Code, p.code)
		}
		want := Stock{Code: p.code, Name: s.Name, PageW: p.pageW, PageH: p.pageH, LabelW: p.w, LabelH: p.h,
			Top: p.top, Left: p.left, PitchX: p.pitchX, PitchY: p.pitchY, Cols: p.cols, Rows: p.rows}
		if s != want {
			t.Errorf("Stocks[%d] = %+v\nwant %+v", i, s, want)
		}
		if s.Name == "" {
			t.Errorf("%s has no name", s.Code)
		}
		if s.PerPage() != p.cols*p.rows {
			t.Errorf("%s PerPage = %d, want %d", s.Code, s.PerPage(), p.cols*p.rows)
		}
		// The last label must end on the page.
		last := p.label(p.cols*p.rows - 1)
		if last.X+last.W > p.pageW+1e-9 || last.Y+last.H > p.pageH+1e-9 {
			t.Errorf("%s last label %+v runs off the page", s.Code, last)
		}
	}
}

func TestStockByCode(t *testing.T) {
	for code, want := range map[string]string{"l7163": "L7163", "L7160": "L7160", "l7651": "L7651", "dk11209": "DK11209"} {
		s, ok := StockByCode(code)
		if !ok || s.Code != want {
			t.Errorf("StockByCode(%q) = %q, %v; want %q", code, s.Code, ok, want)
		}
	}
	for _, code := range []string{"", "L7164", "A4"} {
		if _, ok := StockByCode(code); ok {
			t.Errorf("StockByCode(%q) found a stock", code)
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	s, _ := StockByCode("L7160")
	for _, tc := range []struct{ n, start int }{{1, 0}, {1, -1}, {1, 22}, {0, 1}, {-3, 1}} {
		if r, err := Layout(s, tc.n, tc.start); err == nil {
			t.Errorf("Layout(n=%d, start=%d) = %v, want error", tc.n, tc.start, r)
		}
	}
	if _, err := Layout(Stock{Code: "empty"}, 1, 1); err == nil {
		t.Error("Layout on a stock without positions succeeded")
	}
	if _, err := Layout(s, 1, 21); err != nil {
		t.Errorf("start at the last position: %v", err)
	}
}

func TestLayoutFollowsPublishedGrid(t *testing.T) {
	for _, p := range publishedStocks {
		s := p.stock(t)
		per := p.cols * p.rows
		for _, start := range []int{1, 2, p.cols + 1, per} {
			if start > per {
				continue // the roll has a single position
			}
			n := per + 2 // always spill onto a second page
			rects, err := Layout(s, n, start)
			if err != nil {
				t.Fatalf("%s start %d: %v", p.code, start, err)
			}
			if len(rects) != n {
				t.Fatalf("%s: %d rects, want %d", p.code, len(rects), n)
			}
			for i, r := range rects {
				if want := p.label(start - 1 + i); !rectNear(r, want) {
					t.Errorf("%s start %d label %d: %+v, want %+v", p.code, start, i, r, want)
				}
			}
			// start=N puts the first label at position N, and the next page begins at position 1.
			if first, want := rects[0], p.label(start-1); !rectNear(first, want) {
				t.Errorf("%s start %d: first label %+v, want %+v", p.code, start, first, want)
			}
			if next := rects[per-start+1]; next.Page != 1 || !near(next.X, p.left) || !near(next.Y, p.top) {
				t.Errorf("%s start %d: first label of page 2 at %+v, want position 1", p.code, start, next)
			}
		}
	}
}
