package labels

import (
	"strings"
	"testing"
)

// longLabel has text far too long for any stock.
var longLabel = Label{
	URL:   "https://kitshelf.example/k/KS-0999",
	Tag:   "KS-0999",
	Title: strings.Repeat("Raspberry Pi Pico climate-sensing kit ", 6)[:200],
	Hub:   "Ròs – Community Makerspace & Library, Upper Floor, Back Room Behind The Café, Glasgow",
}

func TestToCP1252(t *testing.T) {
	doc := newDocument(Stocks[0])
	for in, want := range map[string]string{
		"KS-0042":          "KS-0042",
		"Ròs – Café":       "R\xf2s \x96 Caf\xe9",
		"tick ✓ 漢字":        "tick ? ??",
		"two\nlines\ttab":  "two lines tab",
		"  padded  ":       "padded",
		"euro € ellipsis…": "euro \x80 ellipsis\x85",
		"bad \xff utf8":    "bad ? utf8",
	} {
		if got := toCP1252(doc.tr, in); got != want {
			t.Errorf("toCP1252(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEllipsize(t *testing.T) {
	doc := newDocument(Stocks[0])
	doc.pdf.SetFont(fontFamily, "", 10)
	const maxW = 30.0
	if got := ellipsize(doc.pdf, "short", maxW); got != "short" {
		t.Errorf("short text changed to %q", got)
	}
	long := strings.Repeat("micro:bit class set ", 10)
	got := ellipsize(doc.pdf, long, maxW)
	if w := doc.pdf.GetStringWidth(got); w > maxW {
		t.Errorf("%q is %.2f mm wide, want ≤ %.2f", got, w, maxW)
	}
	prefix, ok := strings.CutSuffix(got, ellipsis)
	if !ok || !strings.HasPrefix(long, prefix) {
		t.Fatalf("%q is not a prefix of the text plus an ellipsis", got)
	}
	// It must be the longest such prefix, not just any short one.
	longer := strings.TrimRight(long[:len(prefix)+2], " ") + ellipsis
	if doc.pdf.GetStringWidth(longer) <= maxW {
		t.Errorf("%q fits too but was not chosen", longer)
	}
	if got := ellipsize(doc.pdf, long, 0.5); got != "" {
		t.Errorf("nothing fits in 0.5 mm, got %q", got)
	}
}

func TestFitShrinksBeforeCutting(t *testing.T) {
	doc := newDocument(Stocks[0])
	const maxW, startPt = 20.0, 18.0
	tag, size := fit(doc.pdf, "B", "KS-0042", maxW, startPt, minTagPt)
	if tag != "KS-0042" || size >= startPt || size < minTagPt {
		t.Errorf("fit = %q at %.1f pt, want the whole tag shrunk below %.0f pt", tag, size, startPt)
	}
	doc.pdf.SetFont(fontFamily, "B", size)
	if w := doc.pdf.GetStringWidth(tag); w > maxW {
		t.Errorf("tag is %.2f mm wide, want ≤ %.2f", w, maxW)
	}
	// It must shrink only as far as needed.
	doc.pdf.SetFont(fontFamily, "B", size+0.5)
	if w := doc.pdf.GetStringWidth(tag); w <= maxW {
		t.Errorf("tag shrunk to %.1f pt but fits at %.1f pt", size, size+0.5)
	}
	tag, size = fit(doc.pdf, "B", "KS-0042-SPARE-PARTS-BOX-NUMBER-SEVENTEEN", maxW, startPt, minTagPt)
	if size != minTagPt || !strings.HasSuffix(tag, ellipsis) {
		t.Errorf("fit = %q at %.1f pt, want an ellipsis at the minimum %.0f pt", tag, size, minTagPt)
	}
}

// TestTextLinesFitLabel checks every line of an over-long label stays inside
// the label's padding and clear of the QR code, on every stock.
func TestTextLinesFitLabel(t *testing.T) {
	for _, p := range publishedStocks {
		s := p.stock(t)
		doc := newDocument(s)
		r := p.label(p.cols*p.rows - 1) // last position: overflow would leave the page
		lines := textLines(doc.pdf, doc.tr, s, r, longLabel)
		if len(lines) != 3 {
			t.Fatalf("%s: %d lines, want tag, title and hub", s.Code, len(lines))
		}
		qr := QRCodeRect(s, r)
		const pad = 1.5
		for i, l := range lines {
			doc.pdf.SetFont(fontFamily, l.Style, l.Size)
			w := doc.pdf.GetStringWidth(l.Text)
			em := l.Size * 25.4 / 72
			switch {
			case w > l.MaxW:
				t.Errorf("%s line %d %q: %.2f mm wide, %.2f available", s.Code, i, l.Text, w, l.MaxW)
			case l.X < qr.X+qr.W:
				t.Errorf("%s line %d starts at %.2f, inside the QR code ending %.2f", s.Code, i, l.X, qr.X+qr.W)
			case l.X+w > r.X+r.W-pad:
				t.Errorf("%s line %d ends at %.2f, past the padding at %.2f", s.Code, i, l.X+w, r.X+r.W-pad)
			// Helvetica glyphs, accents included, stay within 1 em above and 0.25 em below the baseline.
			case l.Y-em < r.Y+pad || l.Y+0.25*em > r.Y+r.H-pad:
				t.Errorf("%s line %d baseline %.2f (%.1f pt) leaves the label's inner height %.2f–%.2f",
					s.Code, i, l.Y, l.Size, r.Y+pad, r.Y+r.H-pad)
			case l.Size < 5:
				t.Errorf("%s line %d is %.1f pt, too small to read", s.Code, i, l.Size)
			}
		}
		if lines[0].Text != "KS-0999" {
			t.Errorf("%s: tag %q, want it whole", s.Code, lines[0].Text)
		}
		for _, l := range lines[1:] {
			if !strings.HasSuffix(l.Text, ellipsis) {
				t.Errorf("%s: %q was not shortened with an ellipsis", s.Code, l.Text)
			}
		}
		if lines[0].Size <= lines[1].Size {
			t.Errorf("%s: tag %.1f pt is not larger than the title %.1f pt", s.Code, lines[0].Size, lines[1].Size)
		}
		if lines[2].Size > lines[1].Size {
			t.Errorf("%s: hub %.1f pt is larger than the title %.1f pt", s.Code, lines[2].Size, lines[1].Size)
		}
	}
}

func TestTextLinesSkipEmptyFields(t *testing.T) {
	s := Stocks[0]
	doc := newDocument(s)
	lines := textLines(doc.pdf, doc.tr, s, s.position(0), Label{URL: "https://x.example/k/1", Tag: "KS-0001", Hub: " "})
	if len(lines) != 1 {
		t.Errorf("got %d lines for a label with only a tag", len(lines))
	}
}

// TestTextLinesKeepHierarchy: when a long title shrinks, a short hub name
// must not end up printed larger than it.
func TestTextLinesKeepHierarchy(t *testing.T) {
	s, _ := StockByCode("L7160")
	doc := newDocument(s)
	l := Label{URL: "https://x.example/k/1", Tag: "KS-0001", Title: "micro:bit class set (30)", Hub: "Leith"}
	lines := textLines(doc.pdf, doc.tr, s, s.position(0), l)
	if len(lines) != 3 {
		t.Fatalf("got %d lines", len(lines))
	}
	if lines[2].Size > lines[1].Size || lines[1].Size > lines[0].Size {
		t.Errorf("sizes tag %.1f, title %.1f, hub %.1f pt: want non-increasing", lines[0].Size, lines[1].Size, lines[2].Size)
	}
}
