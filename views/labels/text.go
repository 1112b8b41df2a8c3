package labels

import (
	"sort"
	"strings"

	"github.com/go-pdf/fpdf"
)

const (
	fontFamily  = "Helvetica" // a PDF core font: nothing to embed, every viewer has it
	ellipsis    = "\x85"      // "…" in cp1252, the encoding fpdf uses for core fonts
	mmPerPt     = 25.4 / 72
	leading     = 1.2  // line height as a multiple of the font size
	ascent      = 0.95 // em from a line's top to its baseline: room for accented capitals such as "Ò"
	textGap     = 1.0  // mm between the QR code (its quiet zone) and the text
	tagGap      = 0.15 // em of extra space under the tag, setting it apart from the smaller lines
	minTagPt    = 6.0  // below this a tag is too small to bother shrinking it further
	shrinkFloor = 0.8  // title and hub may shrink to this share of their size before being shortened…
	minTextPt   = 5.0  // …but not below this, the smallest print that stays legible
	hubGray     = 64   // the hub is secondary information, so print it slightly lighter
)

// textLine is one line of label text, positioned and already fitted.
type textLine struct {
	Text  string  // cp1252, as the core fonts need
	Style string  // fpdf font style: "B" or ""
	Size  float64 // font size, pt
	Gray  int     // text colour, 0 = black
	X, Y  float64 // left end of the baseline, mm from the page's top-left
	MaxW  float64 // width available to the text, mm
}

// fontSizes are the starting font sizes (pt) for a label whose inner height
// (without padding) is innerH mm. The factors were tuned so L7163/L7160 get an
// 18 pt tag and the 21.2 mm tall L7651 still gets a 10 pt one.
func fontSizes(innerH float64) (tag, title, hub float64) {
	return clamp(innerH*0.55, 9, 18), clamp(innerH*0.3, 5.5, 10), clamp(innerH*0.26, minTextPt, 9)
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(v, hi)) }

// textLines lays out the tag, title and hub to the right of the QR code,
// vertically centred, each shortened to fit the width left on the label.
// pdf is only used to measure text; tr is its cp1252 translator.
func textLines(pdf *fpdf.Fpdf, tr func(string) string, s Stock, r Rect, l Label) []textLine {
	pad := s.padding()
	qr := QRCodeRect(s, r)
	x := qr.X + qr.W + textGap
	maxW := r.X + r.W - pad - x
	tagPt, titlePt, hubPt := fontSizes(r.H - 2*pad)

	lines := make([]textLine, 0, 3)
	prev := tagPt
	for _, f := range []struct {
		text, style string
		size, floor float64
		gray        int
		optional    bool
	}{
		// The tag may shrink a lot, but never below the title: it is what
		// people read off the shelf.
		{l.Tag, "B", tagPt, max(minTagPt, titlePt), 0, false},
		{l.Title, "", titlePt, max(minTextPt, shrinkFloor*titlePt), 0, true},
		{l.Hub, "", hubPt, max(minTextPt, shrinkFloor*hubPt), hubGray, true},
	} {
		if f.optional && strings.TrimSpace(f.text) == "" {
			continue // leave no gap for a missing title or hub
		}
		// Keep the hierarchy when a line above had to shrink: no line is
		// larger than the one before it.
		start := min(f.size, prev)
		text, size := fit(pdf, f.style, toCP1252(tr, f.text), maxW, start, min(f.floor, start))
		lines = append(lines, textLine{Text: text, Style: f.style, Size: size, Gray: f.gray})
		prev = size
	}
	placeLines(lines, x, maxW, r.Y+pad, r.H-2*pad)
	return lines
}

// placeLines sets the baselines so the block of lines is centred vertically
// in the inner box starting at top with height h (mm), never above its top.
func placeLines(lines []textLine, x, maxW, top, h float64) {
	blockH := tagGap * lines[0].Size * mmPerPt
	for _, l := range lines {
		blockH += l.Size * leading * mmPerPt
	}
	y := top + max(0, (h-blockH)/2)
	for i := range lines {
		em := lines[i].Size * mmPerPt
		lines[i].X, lines[i].Y, lines[i].MaxW = x, y+ascent*em, maxW
		y += leading * em
		if i == 0 {
			y += tagGap * em
		}
	}
}

// fit returns text at the largest size from size down to floor, in 0.5 pt
// steps, at which it fits in maxW mm; failing that, it is shortened with an
// ellipsis at floor: a slightly smaller whole name beats a cut one. It
// leaves pdf's font set to the returned size.
func fit(pdf *fpdf.Fpdf, style, text string, maxW, size, floor float64) (string, float64) {
	for ; size > floor; size -= 0.5 {
		pdf.SetFont(fontFamily, style, size)
		if pdf.GetStringWidth(text) <= maxW {
			return text, size
		}
	}
	pdf.SetFont(fontFamily, style, floor)
	return ellipsize(pdf, text, maxW), floor
}

// ellipsize returns s, or its longest prefix followed by an ellipsis, that is
// at most maxW mm wide in pdf's current font; "" if not even the ellipsis
// fits. s is cp1252, so byte prefixes are whole characters.
func ellipsize(pdf *fpdf.Fpdf, s string, maxW float64) string {
	if pdf.GetStringWidth(s) <= maxW {
		return s
	}
	cut := func(n int) string { return strings.TrimRight(s[:n], " ") + ellipsis }
	// Widths only grow with the prefix length, so binary search for the
	// first prefix that no longer fits; the one before it is the answer.
	n := sort.Search(len(s)+1, func(n int) bool { return pdf.GetStringWidth(cut(n)) > maxW }) - 1
	if n < 0 {
		return ""
	}
	return cut(n)
}

// toCP1252 converts UTF-8 to the single-byte cp1252 the core fonts use, via
// fpdf's translator tr. The translator turns characters it cannot encode
// into '.', which would silently change names, so those become '?' instead;
// control characters (newlines, tabs) become spaces because label lines
// never wrap.
func toCP1252(tr func(string) string, s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		case r < 0x80:
			b.WriteByte(byte(r))
		default:
			if c := tr(string(r)); c != "." {
				b.WriteString(c)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}
